"""The letters of a case: the page that lists them and sets their language, and one
download per letter. Every download is an export of personal data: audited, for staff
who may see the case (`letters.generate`), never a delegation or the auditor.

The downloads are GETs: they change nothing but the audit log (like the manifest's)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from onward.accounts.policy import can, deny
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.letters import render as letters
from onward.letters import selectors, services
from onward.letters.forms import DepartureForm, LanguageForm
from onward.letters.language import default_language, is_chosen, letter_language
from onward.web.access import case_or_404, permission_required


@require_safe
@permission_required("letters.generate")
def case_letters(request, case_id):
    case = case_or_404(request, case_id)
    return render(request, "letters/case_letters.html", _page(request, case))


def _page(request, case, departure_form=None, departure_for=None) -> dict:
    language = letter_language(case)
    return {
        "case": case,
        "language": language,
        "language_chosen": is_chosen(case),
        "default_language": default_language(case),
        "language_form": LanguageForm(initial={"language": language}),
        "can_set_language": can(request.user, "registry.edit") and not case.removed_at,
        "appointments": selectors.appointments(case),
        "decision": selectors.decision(case),
        # One form per transfer, its own field ids; the one sent back with its errors.
        "departures": [
            (
                line,
                departure_form
                if departure_form is not None and line.transfer_id == departure_for
                else DepartureForm(auto_id=f"id_t{line.transfer_id}_%s"),
            )
            for line in selectors.departure_lines(case)
        ],
    }


@require_POST
@permission_required("registry.edit")
def letter_language_set(request, case_id):
    case = case_or_404(request, case_id)
    form = LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the languages offered."))
    else:
        services.language_set(actor=request.user, case=case, language=form.cleaned_data["language"])
        messages.success(request, _("The letters of this case will be written in that language."))
    return redirect("case_letters", case_id=case.case_id)


def _download(request, case, kind: str, pdf: bytes, *, extra: str = "") -> HttpResponse:
    language = letter_language(case)
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.EXPORT,
        object_type="case",
        object_id=case.case_id,
        detail=f"letter {kind} {language}{(' ' + extra) if extra else ''}",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{kind}-{case.case_id}{('-' + extra) if extra else ''}-{language}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _not_here(request, case, object_type: str, object_id) -> Http404:
    """A record that is not this case's: refused as if missing, and audited."""
    deny(request.user, object_type, object_id, detail=f"letter for case {case.case_id}")
    return Http404(f"No {object_type} {str(object_id)[:64]} for this case.")


@require_safe
@permission_required("letters.generate")
def letter_summary(request, case_id):
    case = case_or_404(request, case_id)
    return _download(request, case, "summary", letters.summary(case, letter_language(case)))


@require_safe
@permission_required("letters.generate")
def letter_decision(request, case_id):
    case = case_or_404(request, case_id)
    told = selectors.decision(case)
    if told is None:
        raise Http404("This case has no decision to tell the household of.")
    pdf = letters.decision(case, told, letter_language(case))
    return _download(request, case, "decision", pdf, extra=told.outcome)


@require_safe
@permission_required("letters.generate")
def letter_appointment(request, case_id, appointment_id):
    case = case_or_404(request, case_id)
    appointment = selectors.appointment_of(case, appointment_id)
    if appointment is None:
        raise _not_here(request, case, "appointment", appointment_id)
    pdf = letters.appointment(case, appointment, letter_language(case))
    return _download(request, case, "appointment", pdf, extra=str(appointment.pk))


@require_safe
@permission_required("letters.generate")
def letter_departure(request, case_id, transfer_id):
    case = case_or_404(request, case_id)
    line = selectors.departure_line(case, transfer_id)
    if line is None:
        raise _not_here(request, case, "transfer", transfer_id)
    form = DepartureForm(request.GET)
    if not form.is_valid():
        page = _page(request, case, departure_form=form, departure_for=line.transfer_id)
        return render(request, "letters/case_letters.html", page, status=400)
    pdf = letters.departure(case, line, letter_language(case), **form.facts())
    return _download(request, case, "departure", pdf, extra=str(line.transfer_id))
