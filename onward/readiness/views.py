"""The readiness page of a pledge: its accepted cases' members × its requirements.

Thin: parse the request, read through the policy's door, call the engine and
services.record_fact, render. Readiness is computed on each request, never stored.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from onward import bounds
from onward.accounts import policy
from onward.accounts.policy import is_delegation, visible_pledges
from onward.audit.models import AuditEntry
from onward.audit.services import audit_read, audit_records
from onward.readiness import engine, matrix, selectors, services
from onward.readiness.models import Fact, Kind, TravelNeed
from onward.registry.models import Person
from onward.relocation import guards as external_guards
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


def _posted_traveller(request, pledge) -> Person | None:
    """The member of an accepted case of the pledge named by the POST's `person`, or None."""
    person_id = request.POST.get("person", "")
    return next((p for p in _travellers(pledge) if p.person_id == person_id), None)


def _traveller(request, pledge) -> Person | None:
    """The POST's traveller, or None with the refusal flashed (record and travel needs)."""
    person = _posted_traveller(request, pledge)
    if person is None:
        messages.error(
            request,
            _("%(person)s is not a member of an accepted case of this pledge.")
            % {"person": request.POST.get("person", "")[:32] or "—"},
        )
    return person


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


def _on(request) -> tuple[dt.date, str]:
    """`?on=` as the matrix takes it (_matrix_on: within the operation's bounds, a
    flight's date ahead too): 9999-12-31 overflowed the page's 14-day horizon, a 500."""
    return _matrix_on(request)


@require_safe
@permission_required("relocation.view")
def pledge_readiness(request, pledge_id):
    pledge = record_or_404(request, get_pledge_for_user, "pledge", pledge_id)
    on, date_error = _on(request)
    only_ready = request.GET.get("ready") == "1"
    requirements, rows = _grid(pledge, on)
    if is_delegation(request.user):  # never a member whose consent is withheld
        shared = {
            p.pk
            for p in external_guards.without_withheld_consent(
                [r["person"] for r in rows], request.user.country
            )
        }
        rows = [r for r in rows if r["person"].pk in shared]
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
    can_record = policy.can(request.user, "readiness.record")
    if can_record:  # the assistance codes, for who records them (health-related: not shown wider)
        needs = selectors.travel_needs_of(r["person"].pk for r in all_rows)
        for r in all_rows:
            r["needs"] = needs.get(r["person"].pk, [])
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
            "can_record": can_record,
            "travel_needs": TravelNeed.Need.choices,
            "travellers": all_rows,
            "can_confirm": policy.can(request.user, "readiness.confirm"),
            "confirm_kinds": [
                (r.kind, r.get_kind_display()) for r in services.delegation_requirements(pledge)
            ],
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
    person = _traveller(request, pledge)
    if person is None:
        return redirect(back)
    # Dates within the operation's bounds (onward/bounds.py), as the API and the
    # delegation's form take them: a fact's date and a document's issue up to tomorrow, a
    # validity up to ten years ahead (9999-12-31 overflowed the engine's date arithmetic).
    try:
        on = bounds.parse_date(request.POST.get("on", ""), check=bounds.check_event_date)
        until_raw = request.POST.get("valid_until", "").strip()
        valid_until = (
            bounds.parse_date(until_raw, check=bounds.check_planned_date) if until_raw else None
        )
        issued_raw = request.POST.get("document_issued_on", "").strip()
        issued_on = (
            bounds.parse_date(issued_raw, check=bounds.check_event_date) if issued_raw else None
        )
    except ValueError as exc:
        messages.error(request, str(exc))
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
            # A travel document's number is stored encrypted (the vault's field).
            document_number=request.POST.get("document_number", "").strip()[:40],
            document_issuer=request.POST.get("document_issuer", "").strip()[:64],
            document_issued_on=issued_on,
            pledge_id=pledge.pk,
        )
    except (ValidationError, PermissionDenied) as exc:
        text = _messages(exc) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
        return redirect(back)
    messages.success(request, _("Recorded for %(person)s.") % {"person": person.person_id})
    return redirect(f"{back}?on={on.isoformat()}")


@require_POST
@permission_required("readiness.record")
def travel_needs(request, pledge_id):
    """A traveller's travel needs (the manifest's assistance codes): the ticked codes
    replace the person's; a person not on an accepted case of this pledge is refused."""
    pledge = record_or_404(request, get_pledge_for_user, "pledge", pledge_id)
    back = reverse("pledge_readiness", args=[pledge.pk])
    person = _traveller(request, pledge)
    if person is None:
        return redirect(back)
    try:
        needs = services.travel_needs_set(
            request.user, person=person, needs=request.POST.getlist("needs")
        )
    except ValidationError as exc:
        messages.error(request, _messages(exc))
        return redirect(back)
    messages.success(
        request,
        _("Travel needs of %(person)s: %(needs)s.")
        % {"person": person.person_id, "needs": ", ".join(needs) or _("none")},
    )
    return redirect(back)


# --- The matrix across pledges and countries (matrix.py) -----------------------------------


def _matrix_on(request) -> tuple[dt.date, str]:
    """`?on=` through onward.bounds.parse_date (any past date, or a flight's date ahead;
    Solar Hijri for its readers)."""
    raw = request.GET.get("on", "")
    if not raw.strip():
        return timezone.localdate(), ""
    try:
        return bounds.parse_date(raw, check=bounds.check_planned_date), ""
    except ValueError as exc:
        return timezone.localdate(), _("%(error)s Showing today.") % {"error": str(exc)[:200]}


def _kind_label(kind: str) -> str:
    return Kind(kind).label if kind in Kind.values else kind


@require_safe
@permission_required("relocation.view")
def readiness_matrix(request):
    """Cases × requirements across the pledges the user may see (a delegation: its
    country's), a cell per person; filters; as of any date; paged."""
    user = request.user
    errors = []
    on, error = _matrix_on(request)
    errors += [error] if error else []
    raw_after = request.GET.get("after", "")
    after = matrix.parse_after(raw_after)
    if raw_after and after is None:
        errors.append(
            _("“%(raw)s” is not a page key; showing the first page.") % {"raw": raw_after[:16]}
        )
    visible = list(
        visible_pledges(user).only("pk", "country", "name").order_by("country", "name", "pk")
    )
    pledges = visible
    pledge = None
    if request.GET.get("pledge"):
        pledge = record_or_404(request, get_pledge_for_user, "pledge", request.GET["pledge"])
        pledges = [p for p in pledges if p.pk == pledge.pk]
    country = request.GET.get("country", "").strip().upper()
    if country:
        if not (len(country) == 3 and country.isalpha()):
            errors.append(
                _("“%(raw)s” is not a country code (three letters, ISO 3166-1 alpha-3).")
                % {"raw": country[:8]}
            )
            country = ""
        elif is_delegation(user) and country != user.country:
            policy.deny(user, "country", country, detail="readiness matrix")
            raise Http404(f"No country {country}.")
        else:
            pledges = [p for p in pledges if p.country == country]
    blocked = request.GET.get("blocked", "")
    if blocked and blocked not in Kind.values:
        errors.append(_("“%(raw)s” is not a requirement.") % {"raw": blocked[:32]})
        blocked = ""
    filters = matrix.Filters(
        on=on,
        ready=request.GET.get("ready") == "1",
        expiring=request.GET.get("expiring") == "1",
        blocked=blocked,
    )
    pg = matrix.page(pledges, filters, after, per_page=matrix.PER_PAGE)
    requirements = pg.requirements
    evaluated = matrix.evaluate_page(pg, on)
    if is_delegation(user):  # shared fields only, never a member whose consent is withheld
        shared = {
            p.pk
            for p in external_guards.without_withheld_consent(
                [e[0] for e in evaluated], user.country
            )
        }
        evaluated = [e for e in evaluated if e[0].pk in shared]
    audit_records(
        actor=user,
        entries=[(AuditEntry.Action.VIEW, "person", e[0].person_id) for e in evaluated],
        detail=f"readiness matrix on {on.isoformat()}",
    )
    by_pk = {p.pk: p for p in pledges}
    kinds = matrix.columns(requirements, {r[2] for r in pg.rows} or set(by_pk))
    per_case = {
        r.kind for reqs in requirements.values() for r in reqs if r.per_case and r.kind in kinds
    }
    labels = _labels()
    rows = []
    horizon = on + dt.timedelta(days=matrix.EXPIRING_DAYS)
    span: dict[int, int] = {}
    for person, *_rest in evaluated:
        span[person.case_id] = span.get(person.case_id, 0) + 1
    seen: set[int] = set()
    not_required = _("Not required by this pledge")
    # Pre-rendered, and each distinct cell once: fifty rows of twenty cells through the
    # template language, then through format_html one by one, were most of the page's
    # time (docs/benchmarks.md). A cell depends only on (status, end shown, rowspan).
    rendered: dict[tuple, str] = {}

    def cell_html(status: str | None, until: str, rowspan: int) -> str:
        key = (status, until, rowspan)
        html = rendered.get(key)
        if html is None:
            attrs = format_html(' rowspan="{}"', rowspan) if rowspan else ""
            if status is None:
                html = format_html(
                    '<td{}><span class="muted" title="{}">—</span></td>', attrs, not_required
                )
            else:
                end = (
                    format_html(
                        ' <span class="muted" data-ends="{}">{}</span>',
                        until,
                        _("until %(day)s") % {"day": until},
                    )
                    if until
                    else ""
                )
                html = format_html(
                    '<td{}><span class="tag {}" data-status="{}">{}</span>{}</td>',
                    attrs,
                    _CSS.get(status, "forbid"),
                    status,
                    labels.get(status, status),
                    end,
                )
            rendered[key] = html
        return html

    for person, pledge_id, readiness, cells in evaluated:
        first = person.case_id not in seen
        seen.add(person.case_id)
        row_cells = []
        for kind in kinds:
            if kind in per_case and not first:
                continue  # shown once, on the case's first row of the page
            rowspan = span[person.case_id] if kind in per_case else 0
            if kind not in cells:
                row_cells.append(cell_html(None, "", rowspan))
                continue
            _req, status, ends = cells[kind]
            until = ends.isoformat() if ends is not None and on <= ends <= horizon else ""
            row_cells.append(cell_html(status, until, rowspan))
        rows.append(
            {
                "person": person,
                "pledge": by_pk[pledge_id],
                "ready": readiness.ready,
                "cells": row_cells,
                # One safe string a row: the template prints it once, not cell by cell.
                "cells_html": mark_safe("".join(row_cells)),  # each cell format_html
                "first": first,
            }
        )
    # The pledge choices (every pledge the user may see: 200 in the benchmark) and each
    # row's link, built here once rather than through the template language per item.
    chosen = pledge.pk if pledge else None
    pledge_options = mark_safe(  # every value escaped here
        "".join(
            f'<option value="{p.pk}"{" selected" if p.pk == chosen else ""}>'
            f"{escape(p.country)} · {escape(p.name)}</option>"
            for p in visible
        )
    )
    links: dict[int, str] = {}
    for row in rows:
        pk = row["pledge"].pk
        if pk not in links:
            links[pk] = f"{reverse('pledge_readiness', args=[pk])}?on={on.isoformat()}"
        row["pledge_url"] = links[pk]
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "readiness/matrix.html",
        {
            "on": on,
            "errors": errors,
            "filters": filters,
            "pledge": pledge,
            "pledge_options": pledge_options,
            "country": country,
            "countries": sorted({p.country for p in visible}),
            "columns": [(k, _kind_label(k), k in per_case) for k in kinds],
            "kind_choices": Kind.choices,
            "rows": rows,
            "first_page": after is None,
            "next_after": pg.after if pg.has_next else "",
            "query": query.urlencode(),
            "expiring_days": matrix.EXPIRING_DAYS,
        },
    )


# --- The delegation confirms its own items (services.confirm_item) ---------------------


@require_POST
@permission_required("readiness.confirm")
def confirm_item(request, pledge_id):
    """A delegation confirms one of its country's items (a visa issued) for a member of a
    case accepted under its pledge: another country's pledge or a person not on it is 404
    (denied entry), a requirement that is not the delegation's 403 (denied entry)."""
    pledge = record_or_404(request, get_pledge_for_user, "pledge", pledge_id)
    back = reverse("pledge_readiness", args=[pledge.pk])
    person_id = request.POST.get("person", "")
    person = _posted_traveller(request, pledge)
    if person is None or person.pk not in {
        p.pk for p in external_guards.without_withheld_consent([person], pledge.country)
    }:
        policy.deny(
            request.user, "person", person_id, detail=f"readiness confirm, pledge {pledge.pk}"
        )
        raise Http404(f"No person {person_id[:32]} on this pledge.")
    try:
        on = bounds.parse_date(request.POST.get("on", ""), check=bounds.check_event_date)
        raw_until = request.POST.get("valid_until", "").strip()
        until = bounds.parse_date(raw_until, check=bounds.check_planned_date) if raw_until else None
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    try:
        services.confirm_item(
            request.user,
            person=person,
            pledge=pledge,
            kind=request.POST.get("kind", ""),
            status=request.POST.get("status", "passed"),
            on=on,
            valid_until=until,
            evidence=request.POST.get("evidence", "")[:255],
        )
    except ValidationError as exc:
        messages.error(request, _messages(exc))
        return redirect(back)
    messages.success(
        request,
        _("Confirmed for %(person)s.") % {"person": person.person_id},
    )
    return redirect(f"{back}?on={on.isoformat()}")
