"""Writes of the consent register, the agreements and the dossiers: each atomic, each
audited in the same transaction (docs/consent.md)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onward.accounts.policy import require
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.consent.models import (
    COUNTRY_RECIPIENTS,
    SHAREABLE_FIELDS,
    Consent,
    ConsentOverride,
    DossierDocument,
    Method,
    Recipient,
    SharingAgreement,
    SubmissionFlag,
)
from onward.documents.models import Document, DocumentType, Tier
from onward.relocation.models import Submission


def _country(raw: str) -> str:
    return (raw or "").strip().upper()


@transaction.atomic
def consent_record(
    *,
    actor,
    person,
    recipient: str,
    purpose: str,
    method: str,
    given_on: dt.date,
    country: str = "",
    provider: str = "",
    expires_on: dt.date | None = None,
    document: Document | None = None,
    witness: str = "",
    guardian=None,
) -> Consent:
    """One consent, refused whole with the field at fault. A child's consent is given by
    a guardian of the same case; a signed form is a consent-form document of the person."""
    require(actor, "consent.record")
    country = _country(country)
    errors: dict[str, str] = {}
    if recipient not in Recipient.values:
        errors["recipient"] = _("Unknown recipient %(recipient)r.") % {"recipient": recipient}
    elif recipient in COUNTRY_RECIPIENTS and (len(country) != 3 or not country.isalpha()):
        errors["country"] = _("Name the recipient country (ISO 3166-1 alpha-3, e.g. DEU).")
    elif recipient == Recipient.PROVIDER and not provider.strip():
        errors["provider"] = _("Name the service provider.")
    if recipient not in COUNTRY_RECIPIENTS:
        country = ""
    if not purpose.strip():
        errors["purpose"] = _("Say for what purpose the data go to the recipient.")
    if method not in Method.values:
        errors["method"] = _("Say how the consent was given: a signed form or verbally.")
    elif method == Method.SIGNED_FORM:
        if document is None:
            errors["document"] = _("A signed form is a document: choose the consent form.")
        elif document.person_id != person.pk and document.case_id != person.case_id:
            errors["document"] = _("The consent form must be a document of this person or case.")
    elif method == Method.VERBAL and not witness.strip():
        errors["witness"] = _("A verbal consent needs the witness's name.")
    today = timezone.localdate()
    if given_on is None:
        errors["given_on"] = _("Give the date the consent was given.")
    elif given_on > today:
        errors["given_on"] = _("%(given_on)s is in the future.") % {"given_on": given_on}
    elif expires_on is not None and expires_on < given_on:
        errors["expires_on"] = _("A consent cannot expire before it was given.")
    age = person.age_on(today)
    if age is not None and age < 18:
        if guardian is None:
            errors["guardian"] = _("A child's consent is given by a guardian: choose them.")
        elif guardian.pk == person.pk or guardian.case_id != person.case_id:
            errors["guardian"] = _("The guardian must be another member of the child's case.")
    elif guardian is not None:
        errors["guardian"] = _("An adult gives their own consent (no guardian).")
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(
        person=person,
        guardian=guardian,
        recipient=recipient,
        country=country,
        provider=provider.strip() if recipient == Recipient.PROVIDER else "",
        purpose=purpose.strip(),
        method=method,
        document=document if method == Method.SIGNED_FORM else None,
        witness=witness.strip() if method == Method.VERBAL else "",
        given_on=given_on,
        expires_on=expires_on,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="consent",
        object_id=consent.pk,
        detail=f"person {person.person_id} · {consent.recipient_label} · {method}",
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor, consent: Consent, reason: str, on: dt.date | None = None):
    """Withdraws a consent from `on` (today). The recipient's access ends at once (the
    rules read `withdrawn_on`); each open submission of the person's case to that
    country is flagged for the officer. Returns the flags raised."""
    require(actor, "consent.record")
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_on is not None:
        raise ValidationError(
            {"consent": _("Consent %(consent)s is already withdrawn.") % {"consent": consent.pk}}
        )
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Say why the consent is withdrawn (as the person said).")}
        )
    on = on or timezone.localdate()
    consent.withdrawn_on, consent.withdrawn_reason, consent.withdrawn_by = on, reason.strip(), actor
    consent.save(update_fields=["withdrawn_on", "withdrawn_reason", "withdrawn_by"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        object_type="consent",
        object_id=consent.pk,
        changes={"withdrawn_on": [None, str(on)]},
        detail=f"withdrawn · person {consent.person.person_id} · {consent.recipient_label}",
    )
    flags = []
    if consent.country and consent.person.case_id:
        for sub in Submission.objects.filter(
            case_id=consent.person.case_id,
            pledge__country=consent.country,
            decision__in=["", "accepted"],
        ):
            flags.append(
                SubmissionFlag.objects.create(
                    submission=sub,
                    consent=consent,
                    note=(
                        f"{consent.person.person_id} withdrew consent for {consent.country} "
                        f"on {on}: the dossier is closed"
                    ),
                )
            )
            audit_record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                object_type="submission",
                object_id=sub.pk,
                detail=f"flagged: consent {consent.pk} withdrawn",
            )
    return flags


@transaction.atomic
def override_record(*, actor, case, country: str, reason: str) -> ConsentOverride:
    require(actor, "consent.override")
    country = _country(country)
    errors = {}
    if len(country) != 3 or not country.isalpha():
        errors["country"] = _("Name the country (ISO 3166-1 alpha-3).")
    if len(reason.strip()) < 10:
        errors["reason"] = _("Give the reason for submitting without every adult's consent.")
    if errors:
        raise ValidationError(errors)
    override = ConsentOverride.objects.create(
        case=case, country=country, reason=reason.strip(), by=actor, at=timezone.now()
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="consent_override",
        object_id=override.pk,
        detail=f"case {case.case_id} · {country} · {reason.strip()}"[:255],
    )
    return override


@transaction.atomic
def agreement_create(
    *,
    actor,
    country: str,
    name: str,
    fields: list[str],
    document_types: list[DocumentType],
    valid_from: dt.date,
    valid_to: dt.date,
) -> SharingAgreement:
    require(actor, "consent.agreements")
    country = _country(country)
    errors = {}
    if len(country) != 3 or not country.isalpha():
        errors["country"] = _("Name the recipient country (ISO 3166-1 alpha-3).")
    if not name.strip():
        errors["name"] = _("Name the agreement.")
    unknown = [f for f in fields if f not in SHAREABLE_FIELDS]
    if unknown:
        errors["fields"] = _("Not a shareable field: %(items)s.") % {"items": ", ".join(unknown)}
    if valid_from is None or valid_to is None:
        errors["valid_to"] = _("Give the agreement's validity (from and to).")
    elif valid_to < valid_from:
        errors["valid_to"] = _("An agreement cannot end before it starts.")
    if errors:
        raise ValidationError(errors)
    agreement = SharingAgreement.objects.create(
        country=country,
        name=name.strip(),
        fields=[f for f in SHAREABLE_FIELDS if f in fields],
        valid_from=valid_from,
        valid_to=valid_to,
        created_by=actor,
    )
    agreement.document_types.set(document_types)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="sharing_agreement",
        object_id=agreement.pk,
        detail=f"{country} · {valid_from} to {valid_to}",
    )
    return agreement


@transaction.atomic
def dossier_document_choose(*, actor, submission: Submission, document: Document):
    """Puts a case document into a submission's dossier. Never a protection-tier document,
    never one of another case."""
    require(actor, "dossier.manage")
    members = set(submission.case.members.values_list("pk", flat=True))
    if document.case_id != submission.case_id and document.person_id not in members:
        raise ValidationError({"document": _("The document is not one of this case's.")})
    if document.tier == Tier.PROTECTION:
        raise ValidationError({"document": _("A protection document never goes to a delegation.")})
    chosen, created = DossierDocument.objects.get_or_create(
        submission=submission, document=document, defaults={"chosen_by": actor}
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="submission",
            object_id=submission.pk,
            detail=f"dossier: document {document.pk} ({document.type}) chosen",
        )
    return chosen
