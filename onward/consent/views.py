"""Consent, agreements and dossier pages. Thin: parse, call selectors and services,
render. Every record is fetched through the policy's door (404 and `denied`)."""

from __future__ import annotations

import os

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onward.accounts import policy
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.consent import rules, selectors, services
from onward.consent.forms import (
    AgreementForm,
    ChooseDocumentForm,
    ConsentForm,
    OverrideForm,
    WithdrawForm,
)
from onward.consent.models import SharingAgreement
from onward.consent.watermark import Unmarkable, mark_line, watermark
from onward.documents import services as documents
from onward.documents.models import Document, Tier
from onward.web.access import case_or_404, permission_required, person_or_404, record_or_404


def _errors_to_form(form, exc: ValidationError) -> None:
    for field, msgs in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, msgs)


def _person_documents(person):
    return list(
        Document.objects.filter(person=person).exclude(tier=Tier.PROTECTION).select_related("type")
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("consent.view")
def person_consents(request, person_id):
    person = person_or_404(request, person_id)
    guardians = [p for p in person.case.members.all() if p.pk != person.pk] if person.case else []
    docs = _person_documents(person)
    form = ConsentForm(request.POST or None, documents=docs, guardians=guardians)
    status = 200
    if request.method == "POST":
        policy.require(request.user, "consent.record")
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.consent_record(
                    actor=request.user,
                    person=person,
                    recipient=data["recipient"],
                    country=data["country"],
                    provider=data["provider"],
                    purpose=data["purpose"],
                    method=data["method"],
                    document=next((d for d in docs if d.pk == data["document"]), None),
                    witness=data["witness"],
                    guardian=next((g for g in guardians if g.pk == data["guardian"]), None),
                    given_on=data["given_on"],
                    expires_on=data["expires_on"],
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Consent recorded."))
                return redirect("person_consents", person_id=person.person_id)
    return render(
        request,
        "consent/person_consents.html",
        {
            "person": person,
            "consents": selectors.person_consents(user=request.user, person=person),
            "form": form,
            "can_record": policy.can(request.user, "consent.record"),
            "today": timezone.localdate(),
        },
        status=status,
    )


@require_POST
@permission_required("consent.record")
def consent_withdraw(request, consent_id):
    consent = record_or_404(request, selectors.get_consent_for_user, "consent", consent_id)
    form = WithdrawForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"reason": _("Say why the consent is withdrawn.")})
        flags = services.consent_withdraw(
            actor=request.user, consent=consent, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.success(
            request,
            _("Consent withdrawn; %(n)d open submission(s) flagged.") % {"n": len(flags)},
        )
    return redirect("person_consents", person_id=consent.person.person_id)


@require_safe
@permission_required("consent.view")
def consents_expiring(request):
    return render(
        request,
        "consent/expiring.html",
        {
            "consents": selectors.expiring(user=request.user),
            "days": selectors.EXPIRING_DAYS,
            "can_agreements": policy.can(request.user, "consent.agreements"),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("consent.view")
def case_consent(request, case_id):
    """Each adult member's consent per country, and the override form."""
    case = case_or_404(request, case_id)
    form = OverrideForm(request.POST or None)
    status = 200
    if request.method == "POST":
        policy.require(request.user, "consent.override")
        status = 400
        if form.is_valid():
            try:
                services.override_record(
                    actor=request.user,
                    case=case,
                    country=form.cleaned_data["country"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Override recorded."))
                return redirect("case_consent", case_id=case.case_id)
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.VIEW,
        object_type="case",
        object_id=case.case_id,
        detail="consents",
    )
    from onward.consent.models import Consent, ConsentOverride

    today = timezone.localdate()
    members = list(rules._present(case))
    consents = Consent.objects.filter(person__in=members).select_related("person")
    return render(
        request,
        "consent/case_consent.html",
        {
            "case": case,
            "members": members,
            "adults": {p.pk for p in rules.adults(case, today)},
            "consents": consents,
            "overrides": ConsentOverride.objects.filter(case=case).select_related("by"),
            "form": form,
            "can_override": policy.can(request.user, "consent.override"),
            "today": today,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("consent.agreements")
def agreement_list(request):
    form = AgreementForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.agreement_create(
                    actor=request.user,
                    country=data["country"],
                    name=data["name"],
                    fields=data["fields_shared"],
                    document_types=list(data["document_types"]),
                    valid_from=data["valid_from"],
                    valid_to=data["valid_to"],
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Agreement recorded."))
                return redirect("agreement_list")
    return render(
        request,
        "consent/agreements.html",
        {
            "agreements": SharingAgreement.objects.prefetch_related("document_types"),
            "form": form,
            "today": timezone.localdate(),
        },
        status=status,
    )


def _dossier_or_404(request, submission_id):
    return record_or_404(request, selectors.get_dossier_for_user, "dossier", submission_id)


@require_safe
@permission_required("dossier.view")
def dossier(request, submission_id):
    d = _dossier_or_404(request, submission_id)
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.VIEW,
        object_type="dossier",
        object_id=d.submission.pk,
        detail=f"{d.country} · {len(d.members)} members · {len(d.documents)} documents",
    )
    can_manage = policy.can(request.user, "dossier.manage")
    return render(
        request,
        "consent/dossier.html",
        {
            "d": d,
            "can_manage": can_manage,
            "choose": ChooseDocumentForm(documents=selectors.candidate_documents(d.submission))
            if can_manage
            else None,
        },
    )


@require_POST
@permission_required("dossier.manage")
def dossier_choose(request, submission_id):
    d = _dossier_or_404(request, submission_id)
    form = ChooseDocumentForm(request.POST, documents=selectors.candidate_documents(d.submission))
    if not form.is_valid():
        messages.error(request, _("Choose one of the case's documents."))
        return redirect("dossier", submission_id=d.submission.pk)
    doc = Document.objects.get(pk=form.cleaned_data["document"])
    try:
        services.dossier_document_choose(actor=request.user, submission=d.submission, document=doc)
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        shared = (
            set(d.agreement.document_types.values_list("pk", flat=True)) if d.agreement else set()
        )
        if doc.type_id in shared:
            messages.success(request, _("Document added to the dossier."))
        else:
            messages.warning(
                request,
                _(
                    "Chosen, but the agreement does not share its type: the delegation cannot see it."
                ),
            )
    return redirect("dossier", submission_id=d.submission.pk)


def watermarked_download(user, d, doc):
    """(filename, content type, watermarked bytes) of a dossier document's current
    version, audited as an export; Unmarkable when it cannot carry the watermark."""
    version = doc.current()
    if version is None:
        raise Unmarkable(_("the document has no file"))
    at = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    line = mark_line(
        country=d.country, username=user.username, at=at, submission_id=d.submission.pk
    )
    content = watermark(documents.read_version(version), version.content_type, line)
    audit_record(
        actor=user,
        action=AuditEntry.Action.EXPORT,
        object_type="document",
        object_id=version.pk,
        detail=f"dossier S{d.submission.pk} · {d.country} · watermarked for {user.username}",
    )
    stem, ext = os.path.splitext(version.filename)
    return f"{stem}-S{d.submission.pk}-{d.country}{ext}", version.content_type, content


@require_safe
@permission_required("dossier.view")
def dossier_download(request, submission_id, file_id):
    d = _dossier_or_404(request, submission_id)
    try:
        doc = selectors.dossier_document_for_user(request.user, d, file_id)
    except policy.NotFound:
        raise Http404(_("No document %(id)s in this dossier.") % {"id": file_id}) from None
    try:
        name, content_type, content = watermarked_download(request.user, d, doc)
    except Unmarkable as exc:
        return render(request, "consent/unmarkable.html", {"d": d, "why": str(exc)}, status=409)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
