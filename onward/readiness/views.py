"""The readiness page of a pledge: its accepted cases' members × its requirements.

Thin: parse the request, read through the policy's door, call the engine and
services.record_fact, render. Readiness is computed on each request, never stored.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from onward.accounts import policy
from onward.audit.models import AuditEntry
from onward.audit.services import audit_read, audit_records
from onward.readiness import engine, selectors, services
from onward.readiness.models import Fact, Kind
from onward.registry.models import Person
from onward.relocation.models import Submission
from onward.relocation.selectors import get_pledge_for_user
from onward.web.access import permission_required, record_or_404


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


def _travellers(pledge) -> list[Person]:
    """The current members of the pledge's accepted cases, by case then person."""
    case_ids = Submission.objects.filter(
        pledge=pledge, decision=Submission.Decision.ACCEPTED
    ).values("case_id")
    return list(
        Person.objects.filter(
            case_id__in=case_ids, merged_into__isnull=True, removed_at__isnull=True
        )
        .select_related("case")
        .order_by("case__case_id", "person_id")
    )


_CSS = {engine.PASSED: "lock", engine.WAIVED: "draft"}


def _labels() -> dict[str, str]:
    return {
        engine.PASSED: _("passed"),
        engine.WAIVED: _("waived"),
        engine.EXPIRED: _("expired"),
        "missing": _("missing"),
        engine.PENDING: _("pending"),
        engine.FAILED: _("failed"),
    }


def _cell(req: engine.Requirement, facts: list[engine.Fact], on: dt.date) -> str:
    """passed / waived, or the blocker's reason (missing, pending, failed, expired)."""
    blocker = engine.blocker_for(req, facts, on)
    if blocker is not None:
        return blocker.reason
    latest = [f for f in facts if f.kind == req.kind and f.on <= on][-1]
    return engine.WAIVED if latest.status == engine.WAIVED else engine.PASSED


EXPIRING_DAYS = 14


def accepted_days() -> int:
    """Reminders: accepted this many days ago and still not ready (the setting
    ONWARD_READINESS_NOT_READY_DAYS, default 30; the dashboard counts the same cases)."""
    from django.conf import settings

    return max(1, int(getattr(settings, "ONWARD_READINESS_NOT_READY_DAYS", 30)))


def _expires(req: engine.Requirement, facts: list[engine.Fact], on: dt.date) -> dt.date | None:
    """When the passed fact that meets `req` on `on` stops being valid (None: never)."""
    latest = [f for f in facts if f.kind == req.kind and f.on <= on]
    if not latest or latest[-1].status != engine.PASSED:
        return None
    return engine._expiry(req, latest[-1])


def _grid(pledge, on: dt.date):
    requirements = selectors.requirements_for(pledge.country, pledge.pk)
    people = _travellers(pledge)
    facts: dict[int, list[engine.Fact]] = {p.pk: [] for p in people}
    for f in Fact.objects.filter(person__in=people, on__lte=on).order_by("on", "id"):
        facts[f.person_id].append(engine.Fact(f.kind, f.status, f.on, f.valid_until))
    labels = _labels()
    rows = []
    for person in people:
        mine = facts[person.pk]
        readiness = engine.evaluate(requirements, mine, on)
        ends = [e for req in requirements if (e := _expires(req, mine, on)) is not None]
        # A traveller who departed before `on` (an earlier flight, as of a past date) is shown
        # as departed: neither one who can fly nor one blocked.
        departed = (
            person.departure_date if person.departure_date and person.departure_date < on else None
        )
        rows.append(
            {
                "person": person,
                "departed": departed,
                "ready": readiness.ready and departed is None,
                "blocked_by": set() if departed else {b.kind for b in readiness.blockers},
                "expires": min(ends) if ends else None,
                "cells": [
                    {"status": c, "label": labels.get(c, c), "css": _CSS.get(c, "forbid")}
                    for c in (_cell(req, mine, on) for req in requirements)
                ],
            }
        )
    return requirements, rows


def _date(raw: str) -> dt.date | None:
    try:
        return parse_date(raw.strip())
    except ValueError:
        return None


def _on(request) -> tuple[dt.date, str]:
    raw = request.GET.get("on", "")
    if not raw:
        return timezone.localdate(), ""
    parsed = _date(raw)
    if parsed is None:
        return timezone.localdate(), _("“%(raw)s” is not a date (YYYY-MM-DD); showing today.") % {
            "raw": raw[:32]
        }
    return parsed, ""


@require_safe
@permission_required("relocation.view")
def pledge_readiness(request, pledge_id):
    pledge = record_or_404(request, get_pledge_for_user, "pledge", pledge_id)
    on, date_error = _on(request)
    only_ready = request.GET.get("ready") == "1"
    requirements, rows = _grid(pledge, on)
    audit_read(actor=request.user, obj=pledge)
    audit_records(
        actor=request.user,
        entries=[(AuditEntry.Action.VIEW, "person", r["person"].person_id) for r in rows],
        detail=f"readiness of pledge {pledge.pk}",
    )
    all_rows = rows
    ready_count = sum(1 for r in rows if r["ready"])
    if only_ready:
        rows = [r for r in rows if r["ready"]]
    expiring = request.GET.get("expiring") == "1"
    horizon = on + dt.timedelta(days=EXPIRING_DAYS)
    if expiring:
        rows = [r for r in rows if r["expires"] is not None and on <= r["expires"] <= horizon]
    blocked = request.GET.get("blocked", "")
    if blocked:
        rows = [r for r in rows if blocked in r["blocked_by"]]
    return render(
        request,
        "readiness/pledge_readiness.html",
        {
            "pledge": pledge,
            "on": on,
            "date_error": date_error,
            "only_ready": only_ready,
            "expiring": expiring,
            "expiring_days": EXPIRING_DAYS,
            "blocked": blocked,
            "reminders": _reminders(pledge, on, all_rows),
            "kinds": [Kind(r.kind).label for r in requirements],
            "requirement_kinds": [r.kind for r in requirements],
            "rows": rows,
            "people": [r["person"] for r in all_rows],
            "kind_choices": [(r.kind, Kind(r.kind).label) for r in requirements],
            "ready_count": ready_count,
            "statuses": Fact.Status.choices,
            "can_record": policy.can(request.user, "readiness.record"),
        },
    )


def _reminders(pledge, on: dt.date, rows) -> list[str]:
    """Requirements expiring before a planned flight of the pledge; cases accepted more
    than `accepted_days()` days before `on` and still not ready on it."""
    from onward.movements.models import Transfer

    out = []
    ready_now = {r["person"].pk for r in rows if r["ready"]}
    for transfer in Transfer.objects.filter(pledge=pledge, status="planned", date__gte=on):
        people = [
            p for line in transfer.lines.filter(removed_at__isnull=True) for p in line.persons.all()
        ]
        verdicts = selectors.persons_readiness(
            [p.pk for p in people], pledge.country, transfer.date, pledge.pk
        )
        for p in people:
            if p.pk in ready_now and not verdicts[p.pk].ready:
                out.append(
                    _("%(person)s: %(what)s before the flight of %(day)s (transfer %(n)s).")
                    % {
                        "person": p.person_id,
                        "what": selectors.reasons(verdicts[p.pk]),
                        "day": transfer.date,
                        "n": transfer.pk,
                    }
                )
    days = accepted_days()
    cutoff = on - dt.timedelta(days=days)
    old = set(
        Submission.objects.filter(
            pledge=pledge, decision=Submission.Decision.ACCEPTED, decided_at__date__lte=cutoff
        ).values_list("case_id", flat=True)
    )
    late = sorted(
        {
            r["person"].case.case_id
            for r in rows
            if r["person"].case_id in old and not r["ready"] and not r["departed"]
        }
    )
    if late:
        out.append(
            _("Accepted more than %(days)s days ago and not ready: %(cases)s.")
            % {"days": days, "cases": ", ".join(late)}
        )
    return out


@require_POST
@permission_required("readiness.record")
def record_fact(request, pledge_id):
    pledge = record_or_404(request, get_pledge_for_user, "pledge", pledge_id)
    back = reverse("pledge_readiness", args=[pledge.pk])
    person_id = request.POST.get("person", "")
    person = next((p for p in _travellers(pledge) if p.person_id == person_id), None)
    on = _date(request.POST.get("on", ""))
    until_raw = request.POST.get("valid_until", "")
    valid_until = _date(until_raw) if until_raw else None
    if person is None:
        messages.error(
            request,
            _("%(person)s is not a member of an accepted case of this pledge.")
            % {"person": person_id[:32] or "—"},
        )
        return redirect(back)
    if on is None or (until_raw and valid_until is None):
        messages.error(request, _("Give the dates as YYYY-MM-DD."))
        return redirect(back)
    try:
        services.record_fact(
            request.user,
            person=person,
            country=pledge.country,
            kind=request.POST.get("kind", ""),
            status=request.POST.get("status", ""),
            on=on,
            valid_until=valid_until,
            evidence=request.POST.get("evidence", "")[:255],
            pledge_id=pledge.pk,
        )
    except (ValidationError, PermissionDenied) as exc:
        text = _messages(exc) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
        return redirect(back)
    messages.success(request, _("Recorded for %(person)s.") % {"person": person.person_id})
    return redirect(f"{back}?on={on.isoformat()}")
