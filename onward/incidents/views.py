"""Pages of the incidents app. Thin: parse the request, call selectors and services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onward.accounts.policy import NotFound, can, get_person_for_user
from onward.incidents import selectors, services
from onward.incidents.forms import ClaimForm, IncidentForm, ProtectionRequestForm, StatusForm
from onward.incidents.models import Incident, ProtectionRequest
from onward.registry.services import StaleEdit
from onward.web.access import permission_required, record_or_404


def incident_or_404(request, incident_id):
    return record_or_404(request, selectors.get_incident_for_user, "incident", str(incident_id))


def request_or_404(request, request_id):
    return record_or_404(
        request, selectors.get_protection_request_for_user, "protection_request", str(request_id)
    )


def _rule(request) -> str:
    rule = request.GET.get("rule", "latest_official")
    return rule if rule in selectors.RULES else "latest_official"


@require_safe
@permission_required("incidents.view")
def incident_list(request):
    filters = {k: request.GET.get(k, "").strip() for k in ("type", "place", "year")}
    rule = _rule(request)
    incidents = selectors.incident_list(user=request.user, **filters).prefetch_related(
        "claims", "victims"
    )
    rows = [(i, selectors.incident_figures(i, rule)) for i in incidents]
    return render(
        request,
        "incidents/incident_list.html",
        {
            "rows": rows,
            "filters": filters,
            "types": Incident.Type.choices,
            "rule": rule,
            "rules": selectors.RULES,
            "can_record": can(request.user, "incidents.record"),
            "recorded_note": selectors.RECORDED_NOTE,
            "totals": {
                f: sum(figs[f].value or 0 for _, figs in rows)
                for f in ("killed", "injured", "missing")
            },
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("incidents.record")
def incident_create(request):
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Incident recorded."))
            return redirect("incident_detail", incident_id=incident.pk)
    return render(request, "web/form.html", {"form": form, "title": _("Record an incident")})


@require_safe
@permission_required("incidents.view")
def incident_detail(request, incident_id):
    incident = incident_or_404(request, incident_id)
    detail = selectors.incident_detail(user=request.user, incident=incident, rule=_rule(request))
    return render(
        request,
        "incidents/incident_detail.html",
        {
            **detail,
            **_registry_figure(request, incident),
            "rules": selectors.RULES,
            "can_record": can(request.user, "incidents.record"),
            "figure_names": ("killed", "injured", "missing"),
        },
    )


def _registry_figure(request, incident) -> dict:
    """The blocks the incident hit and the roll calls' own figure (onward/presence),
    shown beside the sources' claims; the persons it names are audited reads."""
    from onward.audit.services import audit_records
    from onward.presence.selectors import incident_panel

    panel = incident_panel(incident, blocks_to_name=can(request.user, "incidents.record"))
    if panel["registry"]:
        audit_records(
            actor=request.user,
            entries=[
                ("view", "person", p.person_id)
                for ps in panel["registry"]["persons"].values()
                for p in ps
            ],
            detail=f"incident {incident.pk}: registry figure",
        )
    return {**panel, "can_roll_call": can(request.user, "presence.rollcall")}


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("incidents.record")
def claim_add(request, incident_id):
    incident = incident_or_404(request, incident_id)
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_add(actor=request.user, incident=incident, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Claim added."))
            return redirect("incident_detail", incident_id=incident.pk)
    return render(
        request,
        "web/form.html",
        {
            "form": form,
            "title": _("Add a claim about: %(incident)s") % {"incident": incident},
            "intro": _(
                "One source's statement. Leave a figure empty when the source gave none: "
                "empty is not zero."
            ),
        },
    )


@require_POST
@permission_required("incidents.record")
def victim_link(request, incident_id):
    incident = incident_or_404(request, incident_id)
    try:
        person = get_person_for_user(request.user, request.POST.get("person", "").strip())
        services.victim_link(
            actor=request.user,
            incident=incident,
            person=person,
            outcome=request.POST.get("outcome", ""),
        )
    except NotFound:
        messages.error(request, _("No such person."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Linked %(person_id)s.") % {"person_id": person.person_id})
    return redirect("incident_detail", incident_id=incident.pk)


@require_safe
@permission_required("incidents.view")
def protection_request_list(request):
    status = request.GET.get("status", "")
    return render(
        request,
        "incidents/protection_request_list.html",
        {
            "requests": selectors.protection_request_list(user=request.user, status=status),
            "status": status,
            "statuses": ProtectionRequest.Status.choices,
            "can_record": can(request.user, "incidents.record"),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("incidents.record")
def protection_request_create(request):
    incidents = list(selectors.visible_incidents(request.user)[:100])
    form = ProtectionRequestForm(
        request.POST or None,
        incidents=incidents,
        initial={"incidents": request.GET.getlist("incident")},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        # Popped once: inside the comprehension it ran for each incident, and the second
        # visible incident raised KeyError (a 500 whenever two incidents existed).
        picked = set(data.pop("incidents"))
        chosen = [i for i in incidents if str(i.pk) in picked]
        try:
            pr = services.protection_request_create(actor=request.user, data=data, incidents=chosen)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Protection request recorded."))
            return redirect("protection_request_detail", request_id=pr.pk)
    return render(
        request, "web/form.html", {"form": form, "title": _("Record a protection request")}
    )


@require_safe
@permission_required("incidents.view")
def protection_request_detail(request, request_id):
    pr = request_or_404(request, request_id)
    detail = selectors.protection_request_detail(user=request.user, protection_request=pr)
    form = StatusForm(
        initial={
            "status": pr.status,
            "on": timezone.localdate(),
            "follow_up_on": pr.follow_up_on,
            "version": pr.version,
        }
    )
    return render(
        request,
        "incidents/protection_request_detail.html",
        {**detail, "form": form, "can_record": can(request.user, "incidents.record")},
    )


@require_POST
@permission_required("incidents.record")
def protection_request_update(request, request_id):
    pr = request_or_404(request, request_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.protection_request_update(
                actor=request.user,
                protection_request=pr,
                expected_version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
                follow_up_on=form.cleaned_data["follow_up_on"],
            )
        except (ValidationError, StaleEdit) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Status updated."))
    else:
        messages.error(request, _("Give a status and a date."))
    return redirect("protection_request_detail", request_id=pr.pk)
