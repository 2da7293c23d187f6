"""Pages of the movements app. Thin: parse the request, call selectors and services."""

import csv
import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onward import bounds
from onward.accounts.policy import NotFound, can, get_person_for_user
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.movements import selectors, services
from onward.movements.forms import (
    BirthForm,
    CorrectionForm,
    DepartureForm,
    ReportedDepartureForm,
    TransferDateForm,
    TransferForm,
)
from onward.movements.models import LedgerEntry, ManifestLine, Transfer
from onward.registry.services import StaleEdit
from onward.web.access import permission_required, person_or_404, record_or_404


def _day(request, text: str, default: dt.date | None) -> dt.date | None:
    """A date asked in the address, within the report dates (onward/bounds.py); anything
    else is said and the default shown."""
    if not text:
        return default
    try:
        return bounds.parse_date(text)
    except ValueError as exc:
        messages.warning(request, _("%(exc)s It is not applied.") % {"exc": exc})
        return default


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_safe
@permission_required("movements.view")
def ledger(request):
    on = _day(
        request, request.GET.get("on", ""), timezone.localdate()
    )  # "today" as the reports say it
    filters = {k: request.GET.get(k, "").strip() for k in ("kind", "person", "from", "to")}
    entries = selectors.ledger_entries(
        user=request.user,
        kind=filters["kind"],
        person=filters["person"],
        date_from=_day(request, filters["from"], None),
        date_to=_day(request, filters["to"], None),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    data = selectors.population_page(on=on)
    return render(
        request,
        "movements/ledger.html",
        {
            **data,
            "on": on,
            "filters": filters,
            "page": page,
            "query": _query_without_page(request),
            "kinds": LedgerEntry.Kind.choices,
            "departed": selectors.departures_by_kind(date_to=on),
            "reported": list(selectors.reported_departures(on=on)),
            "reported_total": selectors.reported_total(selectors.reported_departures(on=on)),
            "can_record": can(request.user, "movements.record"),
        },
    )


def _person(request, person_id: str, form, field: str):
    try:
        return get_person_for_user(request.user, person_id.strip())
    except NotFound:
        form.add_error(field, _("No person %(person)r.") % {"person": person_id})
        return None


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("movements.record")
def departure_create(request):
    form = DepartureForm(request.POST or None, initial={"person": request.GET.get("person", "")})
    if request.method == "POST" and form.is_valid():
        person = _person(request, form.cleaned_data["person"], form, "person")
        if person is not None:
            try:
                services.departure_record(
                    actor=request.user,
                    person=person,
                    kind=form.cleaned_data["kind"],
                    on=form.cleaned_data["on"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request,
                    _("Recorded the departure of %(person_id)s.") % {"person_id": person.person_id},
                )
                return redirect("ledger")
    return render(
        request,
        "web/form.html",
        {
            "form": form,
            "title": _("Record a departure"),
            "intro": _(
                "Left on own accord, deceased, voluntarily repatriated or whereabouts "
                "unknown. Relocations are recorded by confirming a transfer."
            ),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("movements.record")
def reported_departure_create(request):
    form = ReportedDepartureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.reported_departure_record(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Recorded: %(report)s.") % {"report": report})
            return redirect("ledger")
    return render(
        request,
        "web/form.html",
        {
            "form": form,
            "title": _("Record departures reported at another place"),
            "intro": _(
                "A source's figure of residents who left a place Onward does not register "
                "person by person (the origin camp, before the move). It is kept with its "
                "source and never enters the ledger: these persons never reached the "
                "transit location."
            ),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("movements.record")
def birth_create(request):
    form = BirthForm(request.POST or None, initial={"mother": request.GET.get("mother", "")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        mother = _person(request, data.pop("mother"), form, "mother")
        on = data.pop("on")
        if mother is not None:
            try:
                child = services.birth_record(actor=request.user, mother=mother, on=on, child=data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request,
                    _("Registered the birth of %(person)s in case %(case)s.")
                    % {"person": child.person_id, "case": child.case.case_id},
                )
                return redirect("case_detail", case_id=child.case.case_id)
    return render(
        request,
        "web/form.html",
        {
            "form": form,
            "title": _("Record a birth"),
            "intro": _("The child joins the mother's case on the date of birth."),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("movements.record")
def departure_correct(request, person_id):
    person = person_or_404(request, person_id)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.departure_correct(
                actor=request.user, person=person, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _(
                    "Corrected: %(person)s is present again; the "
                    "wrong entry stays in the ledger, reversed."
                )
                % {"person": person.person_id},
            )
            return redirect("ledger")
    return render(
        request,
        "web/form.html",
        {
            "form": form,
            "title": _("Correct the departure of %(person)s") % {"person": person.person_id},
            "intro": _(
                "%(name)s: departed %(date)s (%(type)s). A reversing entry "
                "is added to the ledger; nothing is erased."
            )
            % {
                "name": person.full_name,
                "date": person.departure_date or "—",
                "type": person.departure_type or _("no departure recorded"),
            },
        },
    )


# -- transfers --------------------------------------------------------------------------


def transfer_or_404(request, transfer_id):
    return record_or_404(request, selectors.get_transfer_for_user, "transfer", str(transfer_id))


def _pledges():
    from onward.relocation.models import Pledge

    return list(Pledge.objects.exclude(status="closed"))


@require_safe
@permission_required("movements.view")
def transfer_list(request):
    status = request.GET.get("status", "")
    can_manage = can(request.user, "transfers.manage")
    form = (
        TransferForm(pledges=_pledges(), initial={"date": timezone.localdate()})
        if can_manage
        else None
    )
    return render(
        request,
        "movements/transfer_list.html",
        {
            "transfers": selectors.transfer_list(user=request.user, status=status),
            "status": status,
            "statuses": Transfer.Status.choices,
            "form": form,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("transfers.manage")
def transfer_create(request):
    from onward.relocation.selectors import get_pledge_for_user

    form = TransferForm(
        request.POST or None, pledges=_pledges(), initial={"date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.transfer_plan(
                actor=request.user,
                pledge=get_pledge_for_user(request.user, form.cleaned_data["pledge"]),
                date=form.cleaned_data["date"],
                seats=form.cleaned_data["seats"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Planned transfer %(pk)s.") % {"pk": transfer.pk})
            return redirect("transfer_detail", transfer_id=transfer.pk)
    return render(request, "web/form.html", {"form": form, "title": _("Plan a transfer")})


@require_safe
@permission_required("movements.view")
def transfer_detail(request, transfer_id):
    from onward.relocation.selectors import cases_awaiting_departure, pledge_figures

    transfer = transfer_or_404(request, transfer_id)
    detail = selectors.transfer_detail(user=request.user, transfer=transfer)
    can_manage = can(request.user, "transfers.manage")
    ready = []
    if can_manage and transfer.status == "planned":
        on = {line.case_id for line in detail["lines"]}
        ready = selectors.candidates_blockers(
            transfer,
            [
                c
                for c in cases_awaiting_departure(pledge=transfer.pledge).prefetch_related(
                    "members"
                )
                if c.pk not in on
            ],
        )
    return render(
        request,
        "movements/transfer_detail.html",
        {
            **detail,
            "ready": ready,
            "can_manage": can_manage,
            # Said before the officer clicks, for the same rule the download applies.
            "manifest_refusal": _manifest_refusal(transfer) if can_manage else None,
            "can_letters": can(request.user, "letters.generate"),
            "figures": pledge_figures(transfer.pledge),
            "today": timezone.localdate(),
            "date_form": TransferDateForm(
                initial={"date": transfer.date, "version": transfer.version}
            ),
        },
    )


def _transfer_action(request, transfer_id, action):
    transfer = transfer_or_404(request, transfer_id)
    try:
        text = action(transfer)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except StaleEdit as exc:
        messages.error(request, str(exc))
    except ManifestLine.DoesNotExist:
        messages.error(request, _("No such line on this manifest."))
    else:
        messages.success(request, text)
    return redirect("transfer_detail", transfer_id=transfer.pk)


@require_POST
@permission_required("transfers.manage")
def transfer_case_add(request, transfer_id):
    def add(transfer):
        from onward.accounts.policy import get_case_for_user

        try:
            case = get_case_for_user(request.user, request.POST.get("case", ""))
        except NotFound:
            raise ValidationError({"case": _("No such case.")}) from None
        line = services.transfer_case_add(actor=request.user, transfer=transfer, case=case)
        persons = line.persons.count()
        return ngettext(
            "Added case %(case)s (%(n)s person).", "Added case %(case)s (%(n)s persons).", persons
        ) % {"case": case.case_id, "n": persons}

    return _transfer_action(request, transfer_id, add)


@require_POST
@permission_required("transfers.manage")
def transfer_case_remove(request, transfer_id, line_id):
    def remove(transfer):
        line = transfer.lines.get(pk=line_id)
        services.transfer_case_remove(
            actor=request.user, transfer=transfer, line=line, reason=request.POST.get("reason", "")
        )
        return _("Took case %(case)s off the manifest.") % {"case": line.case.case_id}

    return _transfer_action(request, transfer_id, remove)


@require_POST
@permission_required("transfers.manage")
def transfer_person_hold(request, transfer_id, line_id):
    def hold(transfer):
        line = transfer.lines.get(pk=line_id)
        person = line.persons.filter(person_id=request.POST.get("person", "")).first()
        if person is None:
            raise ValidationError({"person": _("Choose a person travelling on this line.")})
        services.transfer_person_hold(
            actor=request.user,
            transfer=transfer,
            line=line,
            person=person,
            reason=request.POST.get("reason", ""),
        )
        return _("%(person)s stays behind; the rest of case %(case)s flies.") % {
            "person": person.person_id,
            "case": line.case.case_id,
        }

    return _transfer_action(request, transfer_id, hold)


@require_POST
@permission_required("transfers.manage")
def transfer_line_correct(request, transfer_id, line_id):
    def correct(transfer):
        line = transfer.lines.get(pk=line_id)
        services.transfer_line_correct(
            actor=request.user, transfer=transfer, line=line, reason=request.POST.get("reason", "")
        )
        return _("Corrected: case %(case)s did not depart.") % {"case": line.case.case_id}

    return _transfer_action(request, transfer_id, correct)


@require_POST
@permission_required("transfers.manage")
def transfer_confirm(request, transfer_id):
    def confirm(transfer):
        try:
            version = bounds.parse_version(request.POST.get("version"))
        except ValueError as exc:
            raise ValidationError({"version": str(exc)}) from None
        services.transfer_confirm(actor=request.user, transfer=transfer, expected_version=version)
        return _("Transfer %(pk)s confirmed: everyone on the manifest has departed.") % {
            "pk": transfer.pk
        }

    return _transfer_action(request, transfer_id, confirm)


@require_POST
@permission_required("transfers.manage")
def transfer_reschedule(request, transfer_id):
    def reschedule(transfer):
        form = TransferDateForm(request.POST)
        if not form.is_valid():
            raise ValidationError({k: " ".join(v) for k, v in form.errors.items()})
        before = transfer.date
        moved = services.transfer_reschedule(
            actor=request.user,
            transfer=transfer,
            date=form.cleaned_data["date"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
        return _("Transfer %(pk)s moved from %(before)s to %(date)s.") % {
            "pk": moved.pk,
            "before": before,
            "date": moved.date,
        }

    return _transfer_action(request, transfer_id, reschedule)


@require_POST
@permission_required("transfers.manage")
def transfer_cancel(request, transfer_id):
    def cancel(transfer):
        services.transfer_cancel(
            actor=request.user, transfer=transfer, reason=request.POST.get("reason", "")
        )
        return _("Transfer %(pk)s cancelled.") % {"pk": transfer.pk}

    return _transfer_action(request, transfer_id, cancel)


MANIFEST_COLUMNS = (
    "case_id",
    "person_id",
    "relationship",
    "family_name",
    "given_name",
    "father_name",
    "sex",
    "birth_date",
    "nationality",
    "document_number",
    "travel_document",
    "travel_document_expiry",
    "assistance",
    "escort",
)


def _audit_export(request, transfer, fmt):
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.EXPORT,
        object_type="transfer",
        object_id=transfer.pk,
        detail=f"manifest {fmt}",
    )


def _manifest_refusal(transfer) -> str | None:
    """Why the manifest may not go to the transfer's country today, or None."""
    from onward.relocation.guards import sharing_refusal

    return sharing_refusal(
        selectors.manifest_persons(transfer),
        transfer.country,
        timezone.localdate(),
        what=f"the manifest of transfer {transfer.pk}",
    )


def _manifest_refused(request, transfer, fmt):
    """A 409 page naming who lacks consent, when the manifest may not go to the
    transfer's country (relocation.guards.sharing_refusal); None when it may. A refusal
    is audited as denied: nothing left."""
    why = _manifest_refusal(transfer)
    if why is None:
        return None
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.DENIED,
        object_type="transfer",
        object_id=transfer.pk,
        detail=f"manifest {fmt} refused: {why}",
    )
    context = {"transfer": transfer, "why": why}
    return render(request, "movements/manifest_refused.html", context, status=409)


@require_safe
@permission_required("transfers.manage")
def manifest_csv(request, transfer_id):
    transfer = transfer_or_404(request, transfer_id)
    if refused := _manifest_refused(request, transfer, "csv"):
        return refused
    _audit_export(request, transfer, "csv")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="manifest-{transfer.pk}.csv"'
    writer = csv.DictWriter(response, fieldnames=MANIFEST_COLUMNS)
    writer.writeheader()
    writer.writerows(selectors.manifest_rows(transfer))
    return response


@require_safe
@permission_required("transfers.manage")
def manifest_pdf(request, transfer_id):
    from onward.movements.manifest import manifest_pdf_bytes

    transfer = transfer_or_404(request, transfer_id)
    if refused := _manifest_refused(request, transfer, "pdf"):
        return refused
    _audit_export(request, transfer, "pdf")
    response = HttpResponse(
        manifest_pdf_bytes(transfer, selectors.manifest_rows(transfer)),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="manifest-{transfer.pk}.pdf"'
    return response
