"""The demo's consents: before the relocation history is played, every adult of every
open case consented (verbally, before the camp's registration officer as witness) to the
pledging countries' delegations, so that the submit guard lets the demo's 1,400
submissions through as it would in the operation; and a data-sharing agreement per
country (Romania's expired). Bulk, one audit entry for the batch."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.consent.models import Consent, Method, Recipient, SharingAgreement
from onward.consent.rules import ADULT_AGE
from onward.registry.models import Person

# Before the first demo pledge opens (its history starts in 2012), so that every
# submission finds the consent given.
GIVEN_ON = dt.date(2012, 1, 1)


def demo_consents(*, users, log=print) -> dict:
    from onward.relocation.demo import PLEDGES, PRESENT_PLEDGES

    if Consent.objects.exists():
        return {}
    countries = sorted({p[1] for p in PLEDGES} | {p[1] for p in PRESENT_PLEDGES})
    first = min(dt.date.fromisoformat(str(p[3])) for p in PLEDGES)
    given_on = min(GIVEN_ON, first - dt.timedelta(days=30))
    clerk = users.get("clerk") or next(iter(users.values()), None)
    persons = Person.objects.filter(
        merged_into__isnull=True, removed_at__isnull=True, case__isnull=False
    ).values_list("pk", "birth_date")
    rows: list[Consent] = []
    today = timezone.localdate()
    for pk, born in persons.iterator():
        # Adult today (so at every demo submission), or of unknown age.
        if born is not None and (today - born).days < ADULT_AGE * 365.25:
            continue
        rows.extend(
            Consent(
                person_id=pk,
                recipient=Recipient.DELEGATION,
                country=country,
                purpose="Resettlement submission and selection",
                method=Method.VERBAL,
                witness="Registration officer (demo)",
                given_on=given_on,
                recorded_by=clerk,
            )
            for country in countries
        )
    Consent.objects.bulk_create(rows, batch_size=2000)
    audit_record(
        actor=clerk,
        action=AuditEntry.Action.CREATE,
        object_type="consent",
        object_id="demo",
        detail=f"{len(rows)} consents for {', '.join(countries)}",
    )
    agreements = _demo_agreements(countries, start=given_on, today=today, actor=clerk)
    log(f"Consents: {len(rows)} ({len(countries)} countries); {agreements} agreements.")
    return {"consents": len(rows), "agreements": agreements}


# Romania's agreement ended with its pledge: the one expired agreement the demo shows.
EXPIRED = {"ROU": dt.date(2014, 12, 31)}


def _demo_agreements(countries, *, start: dt.date, today: dt.date, actor) -> int:
    """A data-sharing agreement per pledging country (the shared view's fields), valid a
    year past today, except the expired one."""
    fields = ["given_name", "family_name", "relationship", "sex", "birth_date", "nationality"]
    made = SharingAgreement.objects.bulk_create(
        SharingAgreement(
            country=country,
            name=f"{country} resettlement data-sharing",
            fields=fields,
            valid_from=start,
            valid_to=EXPIRED.get(country, today + dt.timedelta(days=365)),
            created_by=actor,
        )
        for country in countries
    )
    return len(made)
