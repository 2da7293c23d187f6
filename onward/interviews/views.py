"""The day board (appointments by room), the week board (by room or by interviewer), the
call list, the no-show list, the book form and the check-in form."""

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onward.accounts import policy
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record, audit_records
from onward.bounds import check_planned_date, parse_date
from onward.interviews import missions, services
from onward.interviews.forms import MissionForm
from onward.interviews.models import (
    Appointment,
    AppointmentType,
    Attendance,
    Interpreter,
    InterpreterNeed,
    PersonLanguage,
    Room,
)
from onward.web.access import case_or_404, permission_required, person_or_404, record_or_404


def _visible_appointments(user):
    cases = policy.visible_cases(user, removed=True)
    persons = policy.visible_persons(user, removed=True)
    return Appointment.objects.filter(case__in=cases) | Appointment.objects.filter(
        person__in=persons
    )


def _get_appointment(user, appointment_id):
    return policy.get_for_user(user, _visible_appointments(user), "appointment", appointment_id)


def _day(raw: str) -> dt.date:
    if not raw:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValueError(_("%(v)r is not a date (YYYY-MM-DD).") % {"v": raw[:32]}) from None


def _board_url(day: dt.date) -> str:
    return f"{reverse('interview_day')}?on={day.isoformat()}"


def _rows(user, day: dt.date) -> list[tuple[str, list[dict]]]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min), tz)
    end = start + dt.timedelta(days=1)
    appointments = list(
        _visible_appointments(user)
        .filter(start__gte=start, start__lt=end)
        .select_related("type", "case", "person", "room", "interpreter", "interviewer")
        .prefetch_related("attendance__person")
        .order_by("room__name", "start")
    )
    person_ids = {row.person_id for a in appointments for row in a.attendance.all()}
    needs = dict(
        InterpreterNeed.objects.filter(person_id__in=person_ids).values_list(
            "person_id", "language"
        )
    )
    by_room: dict[str, list[dict]] = {}
    for a in appointments:
        members = list(a.attendance.all())
        by_room.setdefault(a.room.name if a.room else _("No room"), []).append(
            {
                "appointment": a,
                "target": a.case.public_id if a.case else a.person.public_id,
                "languages": sorted({needs[m.person_id] for m in members if m.person_id in needs}),
                "members": members,
            }
        )
    return list(by_room.items())


@require_safe
@permission_required("interviews.view")
def day_board(request):
    error = ""
    try:
        day = _day(request.GET.get("on", ""))
    except ValueError as exc:
        error, day = str(exc), timezone.localdate()
    rooms = _rows(request.user, day) if not error else []
    # Reading who is booked when is reading personal data: one entry per record shown.
    audit_records(
        actor=request.user,
        entries=[
            (
                AuditEntry.Action.VIEW,
                "case" if r["appointment"].case_id else "person",
                r["target"],
            )
            for _room, rows in rooms
            for r in rows
        ],
        detail=f"interview day board {day.isoformat()}",
    )
    return render(
        request,
        "interviews/day.html",
        {
            "day": day,
            "error": error,
            "rooms": rooms,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "can_book": policy.can(request.user, "interviews.book"),
            "can_letters": policy.can(request.user, "letters.generate"),
            "types": AppointmentType.objects.filter(active=True),
            "room_choices": Room.objects.filter(active=True),
            "interpreters": Interpreter.objects.filter(active=True),
            "interviewers": _interviewers() if policy.can(request.user, "interviews.book") else [],
            "changeable": services.CHANGEABLE,
            "closing": [Appointment.Status.COMPLETED, Appointment.Status.MISSED],
        },
        status=400 if error else 200,
    )


def _time(day: dt.date, raw: str, label: str) -> dt.datetime:
    try:
        clock = dt.time.fromisoformat(raw)
    except ValueError:
        raise services.BookingError(
            "times", _("%(f)s: %(v)r is not a time (HH:MM).") % {"f": label, "v": raw[:16]}
        ) from None
    return timezone.make_aware(dt.datetime.combine(day, clock))


def _optional(model, raw: str, label: str):
    if not raw:
        return None
    try:
        return model.objects.get(pk=int(raw), active=True)
    except (ValueError, model.DoesNotExist):
        raise services.BookingError(
            label, _("No active %(f)s %(v)s.") % {"f": label, "v": raw[:16]}
        ) from None


def _interviewers():
    """Who may be chosen as interviewer: the active users who may book interviews."""
    from onward.accounts import roles
    from onward.accounts.models import User

    return User.objects.filter(
        is_active=True, role__in=sorted(roles.PERMISSIONS["interviews.book"])
    ).order_by("username")


def _interviewer(raw: str, *, default=None):
    if not raw:
        return default
    found = _interviewers().filter(pk=int(raw)).first() if raw.isdigit() else None
    if found is None:
        raise services.BookingError(
            "interviewer", _("No interviewer %(v)s among those who may book.") % {"v": raw[:16]}
        )
    return found


@require_POST
@permission_required("interviews.book")
def book(request):
    post = request.POST
    try:
        day = _day(post.get("on", ""))
    except ValueError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("interview_day"))
    case_id, person_id = post.get("case", "").strip(), post.get("person", "").strip()
    case = case_or_404(request, case_id) if case_id else None
    person = person_or_404(request, person_id) if person_id else None
    try:
        kind = AppointmentType.objects.filter(active=True, pk=post.get("type", "")).first()
        if kind is None:
            raise services.BookingError("type", _("Choose an appointment type."))
        appointment = services.book(
            type=kind,
            case=case,
            person=person,
            start=_time(day, post.get("start", ""), _("Start")),
            end=_time(day, post.get("end", ""), _("End")),
            room=_optional(Room, post.get("room", ""), "room"),
            interpreter=_optional(Interpreter, post.get("interpreter", ""), "interpreter"),
            interviewer=_interviewer(post.get("interviewer", ""), default=request.user),
        )
    except services.BookingError as exc:
        messages.error(request, _("Refused (%(rule)s): %(m)s") % {"rule": exc.rule, "m": exc})
    else:
        target = case or person
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.CREATE,
            object_type=target.audit_type,
            object_id=target.public_id,
            changes={"appointment": appointment.pk, "start": appointment.start.isoformat()},
            detail="interview booked",
        )
        messages.success(request, _("Booked: appointment %(id)s.") % {"id": appointment.pk})
    return HttpResponseRedirect(_board_url(day))


@require_POST
@permission_required("interviews.book")
def check_in(request, appointment_id):
    appointment = record_or_404(request, _get_appointment, "appointment", appointment_id)
    present = set()
    for raw in request.POST.getlist("present"):
        if raw.isdigit():
            present.add(int(raw))
    rows: list[Attendance] = list(appointment.attendance.all())
    reasons = {r.person_id: request.POST.get(f"reason_{r.person_id}", "").strip() for r in rows}
    status = request.POST.get("status", "")
    day = timezone.localtime(appointment.start).date() if appointment.start else None
    if status and status not in (Appointment.Status.COMPLETED, Appointment.Status.MISSED):
        messages.error(request, _("Unknown status: %(s)s") % {"s": status[:32]})
    else:
        services.check_in(appointment, present, reasons)
        if status:
            services.set_status(appointment, status)
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.UPDATE,
            object_type="case" if appointment.case_id else "person",
            object_id=(appointment.case or appointment.person).public_id,
            changes={
                "appointment": appointment.pk,
                "present": sorted(present & {r.person_id for r in rows}),
                "status": status or appointment.status,
            },
            detail="interview check-in",
        )
        messages.success(request, _("Checked in: appointment %(id)s.") % {"id": appointment.pk})
    return HttpResponseRedirect(_board_url(day) if day else reverse("interview_day"))


def _appointment_audit(request, appointment: Appointment, changes: dict, detail: str) -> None:
    target = appointment.case or appointment.person
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.UPDATE,
        object_type=target.audit_type,
        object_id=target.public_id,
        changes={"appointment": appointment.pk, **changes},
        detail=detail,
    )


def _slot(a: Appointment) -> dict:
    return {
        "start": a.start.isoformat(),
        "end": a.end.isoformat(),
        "room": a.room.name if a.room else None,
        "interviewer": a.interviewer.username if a.interviewer else None,
        "interpreter": a.interpreter.name if a.interpreter else None,
    }


@require_POST
@permission_required("interviews.book")
def change(request, appointment_id):
    """Another time, room, interviewer or interpreter for a planned appointment, from the
    day board; the booking rules apply (a refusal names the rule, nothing changes)."""
    appointment = record_or_404(request, _get_appointment, "appointment", appointment_id)
    post = request.POST
    day = timezone.localtime(appointment.start).date()
    before = _slot(appointment)
    try:
        try:
            on = _day(post.get("on", "")) if post.get("on") else day
        except ValueError as exc:
            raise services.BookingError("times", str(exc)) from None
        appointment = services.appointment_change(
            appointment=appointment,
            start=_time(on, post.get("start", ""), _("Start")),
            end=_time(on, post.get("end", ""), _("End")),
            room=_optional(Room, post.get("room", ""), "room"),
            interviewer=_interviewer(post.get("interviewer", "")),
            interpreter=_optional(Interpreter, post.get("interpreter", ""), "interpreter"),
        )
    except services.BookingError as exc:
        messages.error(request, _("Refused (%(rule)s): %(m)s") % {"rule": exc.rule, "m": exc})
        return HttpResponseRedirect(_board_url(day))
    _appointment_audit(
        request, appointment, {"before": before, "after": _slot(appointment)}, "interview changed"
    )
    messages.success(request, _("Changed: appointment %(id)s.") % {"id": appointment.pk})
    return HttpResponseRedirect(_board_url(timezone.localtime(appointment.start).date()))


@require_POST
@permission_required("interviews.book")
def cancel(request, appointment_id):
    """Cancel a planned appointment with a reason: it frees its slot."""
    appointment = record_or_404(request, _get_appointment, "appointment", appointment_id)
    day = timezone.localtime(appointment.start).date()
    reason = request.POST.get("reason", "").strip()[:255]
    try:
        services.appointment_cancel(appointment=appointment, reason=reason)
    except services.BookingError as exc:
        messages.error(request, _("Refused (%(rule)s): %(m)s") % {"rule": exc.rule, "m": exc})
    else:
        _appointment_audit(
            request,
            appointment,
            {"status": Appointment.Status.CANCELLED, "reason": reason},
            "interview cancelled",
        )
        messages.success(request, _("Cancelled: appointment %(id)s.") % {"id": appointment.pk})
    return HttpResponseRedirect(_board_url(day))


@require_POST
@permission_required("interviews.book")
def bulk(request):
    """Several appointments of the board at once (one POST, all or nothing): cancelled or
    not required with a reason, or moved to another day. A refusal names each appointment
    at fault and nothing changes; an id the user may not see is the door's 404."""
    post = request.POST
    try:
        board = _day(post.get("on", ""))
    except ValueError:
        board = timezone.localdate()
    ids = [raw for raw in dict.fromkeys(post.getlist("appointments")) if raw.strip()]
    chosen = [record_or_404(request, _get_appointment, "appointment", raw) for raw in ids]
    action = post.get("action", "")
    day = None
    try:
        if action == "move" and post.get("day", "").strip():
            try:
                day = parse_date(post["day"], check_planned_date)
            except ValueError as exc:
                raise services.BookingError("day", str(exc)) from None
        done = services.appointments_bulk(
            actor=request.user,
            appointments=chosen,
            action=action,
            reason=post.get("reason", ""),
            day=day,
        )
    except services.BookingError as exc:
        messages.error(request, _("Refused (%(rule)s): %(m)s") % {"rule": exc.rule, "m": exc})
    except services.BulkRefused as exc:
        messages.error(
            request,
            _("Nothing was changed: %(n)s of the %(total)s appointments cannot be.")
            % {"n": len(exc.refusals), "total": len(chosen)},
        )
        for refusal in exc.refusals:
            messages.error(request, str(refusal))
    else:
        ids_done = ", ".join(str(a.pk) for a in done)
        text = {
            "cancel": _("Cancelled: appointments %(ids)s."),
            "not_required": _("Marked not required: appointments %(ids)s."),
            "move": _("Moved to %(day)s: appointments %(ids)s."),
        }[action]
        messages.success(request, text % {"ids": ids_done, "day": day})
    return HttpResponseRedirect(_board_url(board))


# --- The week board, the call list, the no-show list ---------------------------------------


def _span(user, first: dt.date, days: int):
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min), tz)
    return (
        _visible_appointments(user)
        .filter(start__gte=start, start__lt=start + dt.timedelta(days=days))
        .select_related("type", "case", "person", "room", "interpreter", "interviewer")
    )


def _target(a: Appointment) -> str:
    return a.case.public_id if a.case_id else a.person.public_id


def _audit_shown(user, appointments, detail: str) -> None:
    """One `view` entry per case or person shown (reading who is booked when)."""
    seen = {("case" if a.case_id else "person", _target(a)) for a in appointments}
    audit_records(
        actor=user,
        entries=[(AuditEntry.Action.VIEW, kind, public_id) for kind, public_id in sorted(seen)],
        detail=detail,
    )


def _parsed_day(request) -> tuple[dt.date, str]:
    """`?on=` through onward.bounds.parse_date (today without it): the day and an error."""
    raw = request.GET.get("on", "").strip()
    if not raw:
        return timezone.localdate(), ""
    try:
        return parse_date(raw, check_planned_date), ""
    except ValueError as exc:
        return timezone.localdate(), str(exc)


def _interviewer_name(user) -> str:
    return (user.get_full_name() or user.username) if user else _("No interviewer")


@require_safe
@permission_required("interviews.view")
def week_board(request):
    """Seven days from the Monday of the week of `on`: a row per room (by=room) or per
    interviewer (by=interviewer), a cell per day listing its appointments."""
    day, error = _parsed_day(request)
    by = "interviewer" if request.GET.get("by") == "interviewer" else "room"
    monday = day - dt.timedelta(days=day.weekday())
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    appointments = list(_span(request.user, monday, 7).order_by("start")) if not error else []
    grid: dict[tuple[int, str], list[list[Appointment]]] = {}
    for a in appointments:
        if by == "room":
            key = (0, a.room.name) if a.room else (1, _("No room"))
        else:
            key = (
                (0, _interviewer_name(a.interviewer)) if a.interviewer else (1, _("No interviewer"))
            )
        cells = grid.setdefault(key, [[] for _day in days])
        cells[(timezone.localtime(a.start).date() - monday).days].append(a)
    _audit_shown(request.user, appointments, f"interview week board {monday.isoformat()} by {by}")
    return render(
        request,
        "interviews/week.html",
        {
            "day": day,
            "monday": monday,
            "days": days,
            "by": by,
            "error": error,
            "rows": [(name, cells) for (_order, name), cells in sorted(grid.items())],
            "previous": monday - dt.timedelta(days=7),
            "next": monday + dt.timedelta(days=7),
        },
        status=400 if error else 200,
    )


@require_safe
@permission_required("interviews.view")
def call_list(request):
    """The day's planned appointments in time order, each member named with the language
    they need and the interpreter booked: printed for the desk that calls people in."""
    day, error = _parsed_day(request)
    appointments = (
        list(
            _span(request.user, day, 1)
            .filter(status=Appointment.Status.PLANNED)
            .prefetch_related("attendance__person")
            .order_by("start", "room__name")
        )
        if not error
        else []
    )
    person_ids = {row.person_id for a in appointments for row in a.attendance.all()}
    needs = dict(
        InterpreterNeed.objects.filter(person_id__in=person_ids).values_list(
            "person_id", "language"
        )
    )
    spoken: dict[int, list[PersonLanguage]] = {}
    for row in PersonLanguage.objects.filter(person_id__in=person_ids).order_by("language"):
        spoken.setdefault(row.person_id, []).append(row)
    calls = [
        {
            "appointment": a,
            "target": _target(a),
            "members": [
                {
                    "person": row.person,
                    "language": needs.get(row.person_id, ""),
                    "spoken": spoken.get(row.person_id, []),
                }
                for row in sorted(a.attendance.all(), key=lambda r: r.person.person_id)
            ],
            "unserved": sorted(
                {
                    needs[row.person_id]
                    for row in a.attendance.all()
                    if row.person_id in needs
                    and not (a.interpreter and a.interpreter.speaks(needs[row.person_id]))
                }
            ),
        }
        for a in appointments
    ]
    _audit_shown(request.user, appointments, f"interview call list {day.isoformat()}")
    return render(
        request,
        "interviews/calls.html",
        {
            "day": day,
            "error": error,
            "calls": calls,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
        },
        status=400 if error else 200,
    )


NO_SHOW_DAYS = 30


@require_safe
@permission_required("interviews.view")
def no_shows(request):
    """Missed appointments in the `NO_SHOW_DAYS` days up to `on`, a row per case or person:
    how many missed, the last one, and the absence reasons given."""
    day, error = _parsed_day(request)
    since = day - dt.timedelta(days=NO_SHOW_DAYS - 1)
    missed = (
        list(
            _span(request.user, since, NO_SHOW_DAYS)
            .filter(status=Appointment.Status.MISSED)
            .prefetch_related("attendance")
            .order_by("start")
        )
        if not error
        else []
    )
    rows: dict[str, dict] = {}
    for a in missed:
        row = rows.setdefault(
            _target(a), {"target": _target(a), "missed": 0, "last": None, "reasons": set()}
        )
        row["missed"] += 1
        row["last"] = a
        row["reasons"] |= {r.absence_reason for r in a.attendance.all() if r.absence_reason}
    listed = sorted(rows.values(), key=lambda r: (-r["missed"], r["target"]))
    # The cases proposed "not recommended: no show / cannot be contacted" (counted over
    # all time, not only this window) among those listed: an officer confirms or
    # dismisses each on the review page.
    from onward.relocation import review

    proposed = {case.case_id: n for case, n in review.no_show_proposals()} if listed else {}
    for row in listed:
        row["reasons"] = sorted(row["reasons"])
        row["proposed"] = proposed.get(row["target"])
    _audit_shown(request.user, missed, f"interview no-show list {since} to {day}")
    return render(
        request,
        "interviews/no_shows.html",
        {
            "day": day,
            "since": since,
            "error": error,
            "rows": listed,
            "no_show_limit": review.no_show_limit(),
            "can_review": policy.can(request.user, "relocation.review"),
        },
        status=400 if error else 200,
    )


# --- Selection missions ------------------------------------------------------------------


def _mission_reader(view):
    """Staff who see interviews, and delegations (their own country's missions only)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (
            policy.can(request.user, "interviews.view")
            or policy.can(request.user, "interviews.missions")
        ):
            raise PermissionDenied(_("Your role may not open this page (interviews.view)."))
        return view(request, *args, **kwargs)

    return wrapped


@require_safe
@_mission_reader
def mission_list(request):
    rows = list(
        missions.visible_missions(request.user)
        .select_related("pledge")
        .prefetch_related("rooms")
        .annotate(slot_count=Count("slots"))
    )
    return render(
        request,
        "interviews/missions.html",
        {"missions": rows, "can_plan": policy.can(request.user, "interviews.book")},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("interviews.book")
def mission_new(request):
    form = MissionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mission = missions.mission_create(actor=request.user, **data)
        except missions.MissionError as exc:
            form.add_error(None, _("Refused (%(rule)s): %(m)s") % {"rule": exc.rule, "m": exc})
        else:
            audit_record(
                actor=request.user,
                action=AuditEntry.Action.CREATE,
                object_type="mission",
                object_id=mission.public_id,
                changes={
                    "pledge": mission.pledge_id,
                    "days": [mission.first_day.isoformat(), mission.last_day.isoformat()],
                    "rooms": sorted(r.pk for r in data["rooms"]),
                },
                detail="selection mission created",
            )
            messages.success(request, _("Mission created."))
            return HttpResponseRedirect(reverse("mission_detail", args=[mission.pk]))
    return render(request, "interviews/mission_new.html", {"form": form})


def _get_mission(user, mission_id):
    return missions.get_mission_for_user(user, mission_id)


@require_safe
@_mission_reader
def mission_detail(request, mission_id):
    mission = record_or_404(request, _get_mission, "mission", mission_id)
    delegation = policy.is_delegation(request.user)
    days = missions.schedule(user=request.user, mission=mission)
    # Each case on the schedule is personal data read: one entry per case shown.
    audit_records(
        actor=request.user,
        entries=[
            (AuditEntry.Action.VIEW, "case", r["slot"].case.case_id)
            for d in days
            for r in d["rows"]
        ],
        detail=f"mission {mission.pk} schedule",
    )
    plan = mission.plan or {}
    return render(
        request,
        "interviews/mission.html",
        {
            "mission": mission,
            "days": days,
            "delegation": delegation,
            "can_plan": policy.can(request.user, "interviews.book")
            and mission.status != mission.Status.CONFIRMED,
            "figures": plan.get("figures"),
            "baseline": plan.get("baseline"),
            "left_out": sorted((plan.get("left_out") or {}).items()) if not delegation else [],
            "pending": len(missions.pledge_cases(mission)) if not delegation else 0,
        },
    )


def _hand_picked(request, raw: str) -> tuple[list, list[str]]:
    """Case ids typed one per line (or separated by commas or spaces): the cases found
    and the ids not found (each a `denied` entry, written by the policy's door)."""
    found, missing = [], []
    for token in dict.fromkeys(raw.replace(",", " ").split()):
        try:
            found.append(policy.get_case_for_user(request.user, token))
        except policy.NotFound:
            missing.append(token[:32])
    return found, missing


@require_POST
@permission_required("interviews.book")
def mission_plan(request, mission_id):
    mission = record_or_404(request, _get_mission, "mission", mission_id)
    url = reverse("mission_detail", args=[mission.pk])
    if request.POST.get("source") == "list":
        cases, missing = _hand_picked(request, request.POST.get("cases", "")[:20000])
        if missing:
            messages.error(
                request, _("No case %(ids)s: nothing planned.") % {"ids": ", ".join(missing)}
            )
            return HttpResponseRedirect(url)
        source = "list"
    else:
        cases, source = missions.pledge_cases(mission), "pledge"
    try:
        plan = missions.run_planner(mission=mission, cases=cases)
    except missions.MissionError as exc:
        messages.error(request, _("Refused (%(rule)s): %(m)s") % {"rule": exc.rule, "m": exc})
        return HttpResponseRedirect(url)
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.UPDATE,
        object_type="mission",
        object_id=mission.public_id,
        changes={"source": source, "cases": len(cases), "placed": plan["figures"]["placed"]},
        detail="mission planned",
    )
    messages.success(
        request,
        _("Planned %(placed)s of %(cases)s cases.")
        % {"placed": plan["figures"]["placed"], "cases": len(cases)},
    )
    return HttpResponseRedirect(url)


@require_POST
@permission_required("interviews.book")
def mission_confirm(request, mission_id):
    mission = record_or_404(request, _get_mission, "mission", mission_id)
    url = reverse("mission_detail", args=[mission.pk])
    try:
        booked = missions.confirm(mission=mission)
    except missions.MissionError as exc:
        messages.error(
            request,
            _("Refused (%(rule)s): %(m)s. Nothing was booked.") % {"rule": exc.rule, "m": exc},
        )
        return HttpResponseRedirect(url)
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.UPDATE,
        object_type="mission",
        object_id=mission.public_id,
        changes={"status": "confirmed", "booked": booked},
        detail="mission schedule confirmed",
    )
    messages.success(request, _("Confirmed: %(n)s interviews booked.") % {"n": booked})
    return HttpResponseRedirect(url)


# --- The person page's languages and interpreter need --------------------------------------


def _person_page(person_id: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("person_detail", args=[person_id]) + "#languages")


def _refused(request, exc: ValidationError) -> None:
    for msgs in getattr(exc, "message_dict", {"": exc.messages}).values():
        for message in msgs:
            messages.error(request, _("Refused: %(m)s") % {"m": message})


@require_POST
@permission_required("registry.edit")
def person_language(request, person_id):
    """Records a language spoken with its level (`remove` given: removes it)."""
    person = person_or_404(request, person_id)
    language = request.POST.get("language", "")
    try:
        if request.POST.get("remove"):
            services.person_language_remove(actor=request.user, person=person, language=language)
            messages.success(request, _("Language removed."))
        else:
            services.person_language_set(
                actor=request.user,
                person=person,
                language=language,
                level=request.POST.get("level", ""),
            )
            messages.success(request, _("Language recorded."))
    except ValidationError as exc:
        _refused(request, exc)
    return _person_page(person.person_id)


@require_POST
@permission_required("registry.edit")
def person_interpreter(request, person_id):
    """ "Interpreter needed" into a language; an empty language: no interpreter needed."""
    person = person_or_404(request, person_id)
    language = "" if request.POST.get("none") else request.POST.get("language", "")
    try:
        need = services.person_interpreter_need_set(
            actor=request.user, person=person, language=language
        )
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("Interpreter needed into %(l)s.") % {"l": need.language}
            if need
            else _("No interpreter needed."),
        )
    return _person_page(person.person_id)
