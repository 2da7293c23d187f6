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


# -- the present day: what the consent pages have to show (after the documents step) ---

EXPIRING = 12  # IOM consents expiring within 30 days, on the "Consents" page and dashboard
WITHDRAWN_REASON = "Told the registration officer she no longer wants her data sent (demo)"


def demo_consents_today(*, users, log=print) -> dict:
    """The agreements share the RRF; the open submissions' dossiers hold their case's
    RRF; a dozen IOM consents expire within 30 days; and one adult of a case open with
    Albania withdraws her consent for Albania, through the service (so the submission is
    flagged and its dossier closes) — the withdrawal the demo shows."""
    from onward.documents.models import Document, DocumentType

    if Consent.objects.filter(withdrawn_on__isnull=False).exists():
        return {}
    rrf = DocumentType.objects.filter(code="rrf").first()
    if rrf is not None:
        for agreement in SharingAgreement.objects.all():
            agreement.document_types.add(rrf)
    today = timezone.localdate()
    chosen = _demo_dossiers(Document, users.get("resettlement"))
    expiring = _demo_expiring(today, users.get("clerk"))
    withdrawn = _demo_withdrawal(users.get("clerk"))
    log(
        f"Consents today: {chosen} dossier documents, {expiring} expiring within 30 days, "
        f"withdrawn: {withdrawn or 'none'}."
    )
    return {"dossier_documents": chosen, "expiring": expiring, "withdrawn": withdrawn}


def _open_submissions():
    from onward.relocation.models import Submission

    return Submission.objects.filter(decision__in=("", "accepted"), departed_on__isnull=True)


def _demo_dossiers(Document, actor) -> int:
    """Each open submission's dossier holds its case's RRF (bulk; one audit entry)."""
    from onward.consent.models import DossierDocument

    rrfs = dict(
        Document.objects.filter(type__code="rrf", case__isnull=False).values_list("case_id", "pk")
    )
    rows = [
        DossierDocument(submission_id=s, document_id=rrfs[c], chosen_by=actor)
        for s, c in _open_submissions().values_list("pk", "case_id")
        if c in rrfs
    ]
    DossierDocument.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="submission",
        object_id="demo",
        detail=f"dossier: the RRF chosen for {len(rows)} open submissions",
    )
    return len(rows)


def _demo_expiring(today: dt.date, actor) -> int:
    """IOM consents of the first adults of open cases, given 11 months ago for a year:
    they expire 2 to 24 days from today."""
    adults = (
        Person.objects.filter(
            case__submissions__in=_open_submissions(),
            merged_into__isnull=True,
            removed_at__isnull=True,
            relationship="principal",
        )
        .distinct()
        .order_by("person_id")
        .values_list("pk", flat=True)[:EXPIRING]
    )
    rows = Consent.objects.bulk_create(
        Consent(
            person_id=pk,
            recipient=Recipient.IOM,
            purpose="Travel arrangements and the medical check before departure",
            method=Method.VERBAL,
            witness="Registration officer (demo)",
            given_on=today - dt.timedelta(days=335),
            expires_on=today + dt.timedelta(days=2 + 2 * i),
            recorded_by=actor,
        )
        for i, pk in enumerate(adults)
    )
    if rows:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            object_type="consent",
            object_id="demo",
            detail=f"{len(rows)} IOM consents expiring within 30 days",
        )
    return len(rows)


def _demo_withdrawal(actor) -> str:
    """The spouse (else the principal) of the first case pending with Albania that is on
    no planned transfer withdraws her consent for Albania: the flag, the closed dossier."""
    from onward.consent.services import consent_withdraw

    pending = _open_submissions().filter(pledge__country="ALB", decision="")
    pending = pending.exclude(case__manifest_lines__transfer__status="planned")
    submission = pending.select_related("case").order_by("case__case_id").first()
    if submission is None:
        return ""
    consents = Consent.objects.filter(
        person__case=submission.case,
        recipient=Recipient.DELEGATION,
        country="ALB",
        withdrawn_on__isnull=True,
    ).select_related("person")
    if not consents:
        return ""
    consent = min(consents, key=lambda c: (c.person.relationship != "spouse", c.person.person_id))
    consent_withdraw(actor=actor, consent=consent, reason=WITHDRAWN_REASON)
    return f"{consent.person.person_id} (case {submission.case.case_id}, ALB)"
