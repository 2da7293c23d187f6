"""Housing pages: occupancy by block as of a date, a block's units and who lives there,
and the allocate form. Thin: parse the request, call selectors and services."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from onward.accounts.policy import (
    NotFound,
    can,
    get_for_user,
    get_person_for_user,
    visible_persons,
)
from onward.audit.models import AuditEntry
from onward.audit.services import audit_records
from onward.bounds import parse_date
from onward.camp import selectors, services
from onward.camp.forms import AllocateForm, BlockForm, SiteForm, UnitForm
from onward.camp.models import Block, Site, Unit
from onward.web.access import permission_required, record_or_404


def _day(request) -> dt.date:
    raw = request.GET.get("on", "").strip()
    try:
        return parse_date(raw) if raw else timezone.localdate()
    except ValueError:
        messages.error(request, _("Not a date: %(raw)s (use YYYY-MM-DD).") % {"raw": raw})
        return timezone.localdate()


@require_safe
@permission_required("camp.view")
def occupancy(request):
    day = _day(request)
    rows = selectors.occupancy_by_block(day)
    return render(
        request,
        "camp/occupancy.html",
        {
            "rows": rows,
            "day": day,
            "totals": {k: sum(r[k] for r in rows) for k in ("occupied", "capacity", "vacancies")},
            "can_allocate": can(request.user, "camp.allocate"),
            "can_manage": can(request.user, "camp.manage"),
        },
    )


@require_safe
@permission_required("camp.view")
def block_detail(request, block_id):
    block = record_or_404(
        request,
        lambda user, pk: get_for_user(user, Block.objects.select_related("site"), "block", pk),
        "block",
        block_id,
    )
    day = _day(request)
    allocations = (
        selectors.allocated_on(day)
        .filter(unit__block=block, person__in=visible_persons(request.user))
        .select_related("person")
        .order_by("person__person_id")
    )
    by_unit: dict[int, list] = {}
    for a in allocations:
        by_unit.setdefault(a.unit_id, []).append(a)
    units = [(u, by_unit.get(u.pk, [])) for u in Unit.objects.filter(block=block)]
    # Who lives where is personal data: each person shown is an audited read.
    audit_records(
        actor=request.user,
        entries=[(AuditEntry.Action.VIEW, "person", a.person.person_id) for a in allocations],
        detail=f"housing block {block.code} on {day}",
    )
    return render(
        request,
        "camp/block_detail.html",
        {
            "housing_block": block,
            "units": units,
            "day": day,
            "can_allocate": can(request.user, "camp.allocate"),
            "can_manage": can(request.user, "camp.manage"),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("camp.allocate")
def allocate(request):
    form = AllocateForm(
        request.POST or None,
        initial={"on": timezone.localdate(), "unit": request.GET.get("unit")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = get_person_for_user(request.user, data["person"].strip())
            allocation = services.allocate(
                actor=request.user,
                person=person,
                unit=data["unit"],
                on=data["on"],
                reason=data["reason"],
                override_reason=data["override_reason"],
            )
        except NotFound:
            form.add_error("person", _("No such person."))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("%(person)s allocated to %(unit)s.")
                % {"person": person.person_id, "unit": allocation.unit},
            )
            return redirect("camp_block", block_id=allocation.unit.block_id)
    return render(
        request,
        "web/form.html",
        {
            "form": form,
            "title": _("Allocate a person to a unit"),
            "intro": _(
                "A person already housed is moved: their allocation ends on this date. A full "
                "unit is refused unless you hold the override permission and give a reason."
            ),
        },
    )


# -- sites, blocks and units: the housing's shape (`camp.manage`) --------------------------


def _visible(user, model):
    return model.objects.all() if can(user, "camp.view") else model.objects.none()


def _get(request, model, object_type: str, pk):
    qs = _visible(request.user, model)
    if model is Block:
        qs = qs.select_related("site")
    if model is Unit:
        qs = qs.select_related("block", "block__site")
    return record_or_404(
        request, lambda user, i: get_for_user(user, qs, object_type, i), object_type, pk
    )


def _shape_form(request, form, save, *, title, intro="", done):
    """A shape form: on a valid POST `save(data)` (a service); its refusal is shown on
    the form with nothing written; success says what was saved and goes to `done(obj)`."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Saved: %(what)s.") % {"what": obj})
            return redirect(done(obj))
    return render(request, "web/form.html", {"form": form, "title": title, "intro": intro})


@require_safe
@permission_required("camp.view")
def sites(request):
    """Every site and its blocks, with how many units and places each block has."""
    blocks = Block.objects.select_related("site").order_by("site__name", "code")
    units: dict[int, list] = {}
    for u in Unit.objects.order_by("code"):
        units.setdefault(u.block_id, []).append(u)
    by_site: dict = {s: [] for s in Site.objects.order_by("name")}
    for b in blocks:
        us = units.get(b.pk, [])
        by_site[b.site].append(
            {
                "block": b,
                "units": len(us),
                "capacity": sum(u.capacity for u in us),
                "blocked": sum(u.blocked_capacity for u in us),
                "usable": sum(u.usable_capacity for u in us),
            }
        )
    return render(
        request,
        "camp/sites.html",
        {"sites": list(by_site.items()), "can_manage": can(request.user, "camp.manage")},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("camp.manage")
def site_create(request):
    return _shape_form(
        request,
        SiteForm(request.POST or None),
        lambda d: services.site_save(actor=request.user, name=d["name"]),
        title=_("New site"),
        done=lambda s: "camp_sites",
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("camp.manage")
def site_edit(request, site_id):
    site = _get(request, Site, "site", site_id)
    return _shape_form(
        request,
        SiteForm(request.POST or None, initial={"name": site.name}),
        lambda d: services.site_save(actor=request.user, name=d["name"], site=site),
        title=_("Rename the site %(name)s") % {"name": site.name},
        done=lambda s: "camp_sites",
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("camp.manage")
def block_create(request, site_id):
    site = _get(request, Site, "site", site_id)
    return _shape_form(
        request,
        BlockForm(request.POST or None),
        lambda d: services.block_save(actor=request.user, code=d["code"], site=site),
        title=_("New block in %(site)s") % {"site": site.name},
        done=lambda b: reverse("camp_block", kwargs={"block_id": b.pk}),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("camp.manage")
def block_edit(request, block_id):
    block = _get(request, Block, "block", block_id)
    return _shape_form(
        request,
        BlockForm(request.POST or None, initial={"code": block.code}),
        lambda d: services.block_save(actor=request.user, code=d["code"], block=block),
        title=_("Block %(code)s (%(site)s)") % {"code": block.code, "site": block.site.name},
        done=lambda b: reverse("camp_block", kwargs={"block_id": b.pk}),
    )


def _unit_save(request, *, block=None, unit=None):
    return lambda d: services.unit_save(
        actor=request.user,
        code=d["code"],
        capacity=d["capacity"],
        blocked_capacity=d["blocked_capacity"] or 0,
        status=d["status"],
        block=block,
        unit=unit,
    )


_UNIT_INTRO = gettext_lazy(
    "Usable places are the capacity less the blocked places, in an available unit only. "
    "A capacity below the persons allocated there is refused, and so is closing a unit "
    "someone lives in: move them first."
)


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("camp.manage")
def unit_create(request, block_id):
    block = _get(request, Block, "block", block_id)
    return _shape_form(
        request,
        UnitForm(request.POST or None, initial={"status": Unit.Status.AVAILABLE}),
        _unit_save(request, block=block),
        title=_("New unit in block %(code)s") % {"code": block.code},
        intro=_UNIT_INTRO,
        done=lambda u: reverse("camp_block", kwargs={"block_id": u.block_id}),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("camp.manage")
def unit_edit(request, unit_id):
    unit = _get(request, Unit, "unit", unit_id)
    initial = {f: getattr(unit, f) for f in services.UNIT_FIELDS}
    return _shape_form(
        request,
        UnitForm(request.POST or None, initial=initial),
        _unit_save(request, unit=unit),
        title=_("Unit %(unit)s") % {"unit": unit},
        intro=_UNIT_INTRO,
        done=lambda u: reverse("camp_block", kwargs={"block_id": u.block_id}),
    )
