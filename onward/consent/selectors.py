"""Reads of the consent register and the dossiers, through the policy's door.

The dossier door (`get_dossier_for_user`): a submission the user may see (a delegation:
its own country's, else 404 and `denied`), and for a delegation only while the dossier is
open (`rules.dossier_closed_reason`): closed is 404 and `denied` too, with the reason in
the entry's detail. Staff (`dossier.view`) see a closed dossier, with why it is closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext

from onward.accounts import policy
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.consent import rules
from onward.consent.models import (
    ARABIC_SCRIPT_LABELS,
    SHAREABLE_FIELDS,
    Consent,
    DossierDocument,
    SharingAgreement,
    SubmissionFlag,
    dossier_fields,
)
from onward.documents.models import Document, Tier
from onward.relocation.models import Submission

EXPIRING_DAYS = 30


def get_consent_for_user(user, consent_id) -> Consent:
    consent = policy.get_for_user(
        user,
        Consent.objects.filter(person__in=policy.visible_persons(user)).select_related("person"),
        "consent",
        consent_id,
    )
    return consent


def person_consents(*, user, person) -> list[Consent]:
    audit_record(
        actor=user,
        action=AuditEntry.Action.VIEW,
        object_type="person",
        object_id=person.person_id,
        detail="consents",
    )
    return list(Consent.objects.filter(person=person).select_related("guardian", "document__type"))


def expiring(*, user, within: int = EXPIRING_DAYS, today: dt.date | None = None) -> list[Consent]:
    """Valid consents that expire within `within` days of today, soonest first (audited
    as one read of the list)."""
    today = today or timezone.localdate()
    rows = list(
        Consent.objects.filter(
            person__in=policy.visible_persons(user),
            withdrawn_on__isnull=True,
            given_on__lte=today,
            expires_on__gte=today,
            expires_on__lte=today + dt.timedelta(days=within),
        )
        .select_related("person")
        .order_by("expires_on", "id")
    )
    audit_record(
        actor=user,
        action=AuditEntry.Action.VIEW,
        object_type="consent",
        object_id="expiring",
        detail=f"{len(rows)} consents expiring within {within} days",
    )
    return rows


@dataclass
class Dossier:
    submission: Submission
    country: str
    agreement: SharingAgreement | None
    closed: str  # why it is closed, "" when open
    fields: list[str]
    members: list[dict]
    documents: list[Document]
    flags: list[SubmissionFlag]

    @property
    def field_labels(self) -> list[tuple[str, str]]:
        labels = {**SHAREABLE_FIELDS, **ARABIC_SCRIPT_LABELS}
        return [(f, str(labels[f])) for f in self.fields]


def get_dossier_for_user(user, submission_id, *, today: dt.date | None = None) -> Dossier:
    policy.require(user, "dossier.view")
    sub = policy.get_for_user(
        user,
        policy.visible_submissions(user).select_related("pledge", "case"),
        "dossier",
        submission_id,
    )
    today = today or timezone.localdate()
    closed = rules.dossier_closed_reason(sub, today)
    if closed and policy.is_delegation(user):
        policy.deny(user, "dossier", sub.pk, detail=f"closed: {closed}")
        raise policy.NotFound(policy.not_found_text("dossier", sub.pk))
    return _dossier(sub, today, closed)


def _dossier(sub: Submission, today: dt.date, closed: str) -> Dossier:
    country = sub.pledge.country
    agreement = rules.agreement_on(country, today)
    fields = dossier_fields(list(agreement.fields)) if agreement else []
    present = list(rules._present(sub.case).prefetch_related("specific_needs"))
    withheld = rules.withheld_person_ids([p.pk for p in present], country, today)
    members = []
    for p in present:
        if p.pk in withheld:
            continue
        values = {
            "person_id": p.person_id,
            "given_name": p.given_name,
            "family_name": p.family_name,
            "father_name": p.father_name,
            "given_name_arabic": p.given_name_arabic,
            "family_name_arabic": p.family_name_arabic,
            "relationship": p.relationship,
            "sex": p.sex,
            "birth_date": p.birth_date_display,
            "nationality": p.nationality,
            "specific_needs": ", ".join(sorted(n.code for n in p.specific_needs.all())),
            "document_number": str(p.document_number or ""),
        }
        members.append({f: values[f] for f in ["person_id", *fields]})
    return Dossier(
        submission=sub,
        country=country,
        agreement=agreement,
        closed=closed,
        fields=fields,
        members=members,
        documents=shared_documents(sub, agreement, withheld),
        flags=list(SubmissionFlag.objects.filter(submission=sub)),
    )


def shared_documents(sub: Submission, agreement, withheld: set[int] | frozenset[int] = frozenset()):
    """The chosen documents of the agreement's types: never protection tier, never of a
    member whose consent is withheld."""
    if agreement is None:
        return []
    types = set(agreement.document_types.values_list("pk", flat=True))
    chosen = (
        Document.objects.filter(
            pk__in=DossierDocument.objects.filter(submission=sub).values("document_id"),
            type_id__in=types,
        )
        .exclude(tier=Tier.PROTECTION)
        .exclude(person_id__in=list(withheld))
        .select_related("type", "person")
        .order_by("type__name", "pk")
    )
    return list(chosen)


def dossier_document_for_user(user, dossier: Dossier, document_id) -> Document:
    """A document of the dossier, or NotFound (with `denied`) for any other id."""
    shared = {d.pk: d for d in dossier.documents}
    raw = str(document_id)
    doc = shared.get(int(raw)) if raw.isdigit() else None
    if doc is None or (dossier.closed and policy.is_delegation(user)):
        policy.deny(user, "document", document_id, detail=f"not in dossier {dossier.submission.pk}")
        raise policy.NotFound(gettext("No document %(id)s in this dossier.") % {"id": raw[:64]})
    return doc


def candidate_documents(sub: Submission) -> list[Document]:
    """The case's documents an officer may choose for the dossier (not protection)."""
    members = sub.case.members.values("pk")
    return list(
        Document.objects.filter(person_id__in=members)
        .exclude(tier=Tier.PROTECTION)
        .select_related("type", "person")
        .order_by("person__person_id", "type__name")
    ) + list(
        Document.objects.filter(case=sub.case, person__isnull=True)
        .exclude(tier=Tier.PROTECTION)
        .select_related("type")
    )
