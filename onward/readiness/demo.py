"""The demo's readiness: the requirements each accepted case meets before it is ready.

Called by the relocation demo where it used to record the three exit checks: the facts
are recorded for every member present, dated as the checks were, and the cases then
follow readiness (accepted -> ready) on their day, through the same workflow engine.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from onward.readiness import services
from onward.registry.models import Person
from onward.relocation.models import Submission


def demo_ready(actor, steps: dict) -> None:
    """`steps`: {case: (ready_at, [day each requirement of FORMER_EXIT_CHECKS passed])}."""
    if not steps:
        return
    countries = dict(
        Submission.objects.filter(
            case__in=[c.pk for c in steps], decision=Submission.Decision.ACCEPTED
        ).values_list("case_id", "pledge__country")
    )
    for country in sorted(set(countries.values())):
        services.requirements_seed(country)
    by_case = {c.pk: days for c, (_at, days) in steps.items()}
    rows = []
    for pk, case_id in Person.objects.filter(
        case__in=list(by_case),
        merged_into__isnull=True,
        removed_at__isnull=True,
        departure_date__isnull=True,
    ).values_list("pk", "case_id"):
        for kind, day in zip(services.FORMER_EXIT_CHECKS, by_case[case_id], strict=True):
            rows.append({"person_id": pk, "kind": kind, "status": "passed", "on": day})
    at = {c.pk: when for c, (when, _days) in steps.items()}
    on: dt.date = max(timezone.localtime(w).date() for w in at.values())
    services.facts_write(actor, rows, on=on, at=at)


# Albania's travellers (movements.demo._albania_transfers): each carries a travel document
# (an ICRC travel document, the usual paper of a refugee without a valid passport: number,
# issuer, issue date and expiry, the number encrypted like every identifier), and a few
# the assistance an airline is told of on the manifest (IATA codes): the eldest of each
# flight a wheelchair; on the latest flight one traveller an oxygen supply with a medical
# escort. Dated before the flight; the cases stay ready (facts_write follows them).
DOCUMENT_ISSUER = "ICRC"
DOCUMENT_ISSUED_BEFORE = 45  # days before the flight
DOCUMENT_VALID_DAYS = 365


def document_number(person_id: str, day: dt.date) -> str:
    """The demo's travel document number of a traveller: stable, not a real one."""
    return f"ICRC-{day:%y}-{person_id[-6:]}"


def demo_travel_papers(actor, day: dt.date, persons: list, *, escort: bool, at) -> dict:
    """Travel documents for `persons` (flying on `day`) and their travel needs; `escort`:
    one of them (the eldest after the one in a wheelchair) travels on oxygen with a
    medical escort. Returns {"documents": n, "needs": {person id: [codes]}}."""
    from onward.readiness.models import Kind, TravelNeed

    if not persons:
        return {"documents": 0, "needs": {}}
    issued = day - dt.timedelta(days=DOCUMENT_ISSUED_BEFORE)
    rows = [
        {
            "person_id": p.pk,
            "kind": Kind.TRAVEL_DOCUMENT,
            "status": "passed",
            "on": issued,
            "valid_until": issued + dt.timedelta(days=DOCUMENT_VALID_DAYS),
            "evidence": "travel document collected (ICRC)",
            "document_number": document_number(p.person_id, issued),
            "document_issuer": DOCUMENT_ISSUER,
            "document_issued_on": issued,
        }
        for p in persons
    ]
    services.facts_write(actor, rows, on=day, at=at)
    # The eldest first (an unknown birth date last), then by person id: stable.
    by_age = sorted(persons, key=lambda p: (p.birth_date or dt.date.max, p.person_id))
    needs: dict[str, list[str]] = {by_age[0].person_id: [TravelNeed.Need.WHEELCHAIR]}
    if escort and len(by_age) > 1:
        needs[by_age[1].person_id] = [TravelNeed.Need.OXYGEN, TravelNeed.Need.MEDICAL_ESCORT]
    pks = {p.person_id: p.pk for p in persons}
    for person_id, codes in needs.items():
        for code in codes:
            TravelNeed.objects.get_or_create(person_id=pks[person_id], need=code)
    return {"documents": len(rows), "needs": needs}
