"""Loads the synthetic population of the reference operation into the registry.

A bulk load on purpose (thousands of rows in a second), but with the registry's own
validation rules for every field and one audit entry per record created, all in one
transaction: the load lands whole or not at all.
"""

import datetime as dt

from django.db import transaction

from onward.audit.models import AuditEntry
from onward.audit.services import audit_records
from onward.demo.synthetic import NEED_DETAILS, SyntheticPopulation
from onward.movements.ledger import ledger_arrivals_bulk
from onward.registry import validation
from onward.registry.models import Case, Person
from onward.registry.search import search_keys_for
from onward.registry.services import counters_sync


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


@transaction.atomic
def population_load(population: SyntheticPopulation, *, actor=None) -> tuple[int, int]:
    cases = {
        c.case_id: Case(case_id=c.case_id, arrival_date=_date(c.arrival_date))
        for c in population.cases
    }
    Case.objects.bulk_create(cases.values(), batch_size=2000)
    cases = {c.case_id: c for c in Case.objects.filter(case_id__in=list(cases))}
    persons, needs = [], []
    for p in population.persons:
        birth, precision = validation.parse_birth_date(p.birth_date)
        persons.append(
            Person(
                person_id=p.person_id,
                case=cases[p.case_id],
                relationship=p.relationship,
                given_name=p.given_name,
                family_name=p.family_name,
                father_name=p.father_name,
                sex=p.sex,
                birth_date=birth,
                birth_precision=precision,
                nationality=validation.parse_nationality(p.nationality),
                # Encrypted on the way in (bulk_create prepares each value and fills the
                # blind indexes through BlindIndexField.pre_save).
                document_number=p.document_number,
                phone=p.phone,
                needs_detail=p.notes if p.notes in NEED_DETAILS else "",
                search_keys=search_keys_for(p.given_name, p.family_name, p.father_name),
                arrival_date=_date(p.arrival_date),
            )
        )
        needs.append(p.specific_needs)
    Person.objects.bulk_create(persons, batch_size=2000)
    ids = dict(Person.objects.filter(case__in=cases.values()).values_list("person_id", "pk"))
    through = Person.specific_needs.through
    through.objects.bulk_create(
        [
            through(person_id=ids[p.person_id], specificneed_id=code)
            for p, codes in zip(population.persons, needs, strict=True)
            for code in codes
        ],
        batch_size=5000,
    )
    audit_records(
        actor=actor,
        detail="loaded with the demo population",
        entries=[
            (AuditEntry.Action.CREATE, kind, oid)
            for kind, oid in [*(("case", c) for c in cases), *(("person", p) for p in ids)]
        ],
    )
    ledger_arrivals_bulk(
        persons=list(Person.objects.filter(pk__in=ids.values())),
        actor=actor,
        note="demo population",
    )
    counters_sync()
    return len(cases), len(persons)
