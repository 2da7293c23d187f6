"""Housing pages: occupancy by block as of a date, a block's units and who lives there,
and the allocate form. Thin: parse the request, call selectors and services."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
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
from onward.camp import selectors, services
from onward.camp.forms import AllocateForm
from onward.camp.models import Block, Unit
from onward.web.access import permission_required, record_or_404


def _day(request) -> dt.date:
    raw = request.GET.get("on", "").strip()
    try:
        return dt.date.fromisoformat(raw) if raw else timezone.localdate()
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
