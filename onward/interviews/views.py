"""The day board (appointments by room), the book form and the check-in form."""

import datetime as dt

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from onward.accounts import policy
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record, audit_records
from onward.interviews import services
from onward.interviews.models import (
    Appointment,
    AppointmentType,
    Attendance,
    Interpreter,
    InterpreterNeed,
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
        .select_related("type", "case", "person", "room", "interpreter")
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
            "types": AppointmentType.objects.filter(active=True),
            "room_choices": Room.objects.filter(active=True),
            "interpreters": Interpreter.objects.filter(active=True),
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
            interviewer=request.user,
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
