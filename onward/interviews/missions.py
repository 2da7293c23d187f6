"""Selection missions: creating one, running the planner over a chosen set of cases, and
confirming its schedule (each slot booked through `services.book`).

Refusals raise MissionError naming the rule; nothing is written when one is raised.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onward.accounts import policy
from onward.interviews import planner, services
from onward.interviews.models import (
    Appointment,
    AppointmentType,
    Interpreter,
    InterpreterNeed,
    Mission,
    MissionSlot,
)
from onward.registry.models import Case
from onward.relocation.models import Submission

MAX_DAYS = 31
MAX_SLOTS_PER_DAY = 24


class MissionError(ValueError):
    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule


def visible_missions(user):
    """Staff who see interviews: every mission; a delegation: its own country's."""
    if policy.is_delegation(user) or policy.can(user, "interviews.view"):
        return Mission.objects.filter(pledge__in=policy.visible_pledges(user))
    return Mission.objects.none()


def get_mission_for_user(user, mission_id) -> Mission:
    return policy.get_for_user(
        user, visible_missions(user).select_related("pledge"), "mission", mission_id
    )


@transaction.atomic
def mission_create(
    *,
    actor,
    pledge,
    name: str,
    first_day: dt.date,
    last_day: dt.date,
    day_start: dt.time,
    slots_per_day: int,
    slot_minutes: int,
    rooms,
    interviewers=(),
    interpreters=(),
) -> Mission:
    if last_day < first_day:
        raise MissionError("days", _("The last day is before the first."))
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise MissionError("days", _("A mission lasts at most %(n)s days.") % {"n": MAX_DAYS})
    if not 1 <= slots_per_day <= MAX_SLOTS_PER_DAY or not 15 <= slot_minutes <= 240:
        raise MissionError("slots", _("Slots: 1 to 24 a day, of 15 to 240 minutes."))
    end = dt.datetime.combine(first_day, day_start) + dt.timedelta(
        minutes=slots_per_day * slot_minutes
    )
    if end.date() != first_day and end.time() != dt.time(0):
        raise MissionError("slots", _("The day's slots run past midnight."))
    if not list(rooms):
        raise MissionError("rooms", _("Choose at least one room."))
    mission = Mission.objects.create(
        pledge=pledge,
        name=name.strip()[:120],
        first_day=first_day,
        last_day=last_day,
        day_start=day_start,
        slots_per_day=slots_per_day,
        slot_minutes=slot_minutes,
        created_by=actor,
    )
    mission.rooms.set(rooms)
    mission.interviewers.set(interviewers)
    mission.interpreters.set(interpreters)
    return mission


def pledge_cases(mission: Mission) -> list[Case]:
    """The cases submitted to the mission's pledge and awaiting its decision."""
    ids = Submission.objects.filter(pledge=mission.pledge, decision="").values("case_id")
    return list(Case.objects.filter(pk__in=ids, removed_at__isnull=True).order_by("case_id"))


def _needs(mission: Mission, cases: list[Case]) -> tuple[list[planner.Need], dict[str, str]]:
    """A planner Need per case; cases book() would refuse (a member departed or removed)
    are left out with the rule."""
    subs = {
        s.case_id: s
        for s in Submission.objects.filter(pledge=mission.pledge, case__in=cases).order_by(
            "submitted_at"
        )
    }
    members: dict[int, list] = {}
    for case in cases:
        members[case.pk] = list(case.members.filter(merged_into__isnull=True))
    person_ids = [p.pk for ps in members.values() for p in ps]
    needs_of = dict(
        InterpreterNeed.objects.filter(person_id__in=person_ids).values_list(
            "person_id", "language"
        )
    )
    ordered = sorted(
        cases,
        key=lambda c: (c.pk not in subs, subs[c.pk].submitted_at if c.pk in subs else 0, c.case_id),
    )
    needs, left_out = [], {}
    for order, case in enumerate(ordered):
        people = members[case.pk]
        if not people:
            left_out[case.case_id] = "empty"
            continue
        if any(p.removed_at is not None or p.departure_date is not None for p in people):
            left_out[case.case_id] = "departed_or_removed"
            continue
        sub = subs.get(case.pk)
        relocation = getattr(case, "relocation", None)
        priority = (sub.priority if sub else "") or (relocation.priority if relocation else "")
        needs.append(
            planner.Need(
                key=case.case_id,
                size=len(people),
                priority=priority or "normal",
                languages=frozenset(
                    needs_of[p.pk].strip().lower() for p in people if p.pk in needs_of
                ),
                order=order,
            )
        )
    return needs, left_out


def _links(cases: list[Case]) -> frozenset[tuple[str, str]]:
    """Live links (family unity, dependency) between the cases planned, as pairs of case
    ids. The composition app sits beside interviews: its CaseLink is read lazily."""
    from django.apps import apps

    if not apps.is_installed("onward.composition") or not cases:
        return frozenset()
    link = apps.get_model("composition", "CaseLink")
    pks = [c.pk for c in cases]
    return frozenset(
        link.objects.filter(case_a_id__in=pks, case_b_id__in=pks, ended_at=None).values_list(
            "case_a__case_id", "case_b__case_id"
        )
    )


def _grid(mission: Mission) -> tuple[planner.Grid, list, list, dict[str, Interpreter]]:
    rooms = list(mission.rooms.order_by("name"))
    staff = list(mission.interviewers.order_by("username"))
    chosen = list(mission.interpreters.filter(active=True)) or list(
        Interpreter.objects.filter(active=True)
    )
    interpreters = {str(i.pk): i for i in chosen}
    taken = _taken(mission, rooms, staff, interpreters)
    grid = planner.Grid(
        taken=taken,
        days=len(mission.days),
        slots=mission.slots_per_day,
        rooms=len(rooms),
        interviewers=len(staff),
        interpreters={
            key: frozenset(c.strip().lower() for c in i.languages.split(",") if c.strip())
            for key, i in interpreters.items()
        },
    )
    return grid, rooms, staff, interpreters


def _taken(mission: Mission, rooms, staff, interpreters) -> frozenset:
    """The slots where a room, interviewer or interpreter of the mission already holds an
    appointment (booked from the day board, another mission): the planner keeps off them."""
    first = slot_start(mission, 0, 0)
    last = slot_start(mission, len(mission.days) - 1, mission.slots_per_day)
    room_of = {r.pk: i for i, r in enumerate(rooms)}
    staff_of = {u.pk: i for i, u in enumerate(staff)}
    held = Appointment.objects.filter(
        status__in=Appointment.HOLDING, start__lt=last, end__gt=first
    ).filter(
        Q(room__in=rooms)
        | Q(interviewer__in=staff)
        | Q(interpreter_id__in=[int(k) for k in interpreters])
    )
    taken: set[tuple[tuple[str, int | str], int, int]] = set()
    for a in held:
        if a.start is None or a.end is None:
            continue
        keys: list[tuple[str, int | str]] = []
        if a.room_id in room_of:
            keys.append(("room", room_of[a.room_id]))
        if a.interviewer_id in staff_of:
            keys.append(("staff", staff_of[a.interviewer_id]))
        if a.interpreter_id is not None and str(a.interpreter_id) in interpreters:
            keys.append(("interp", str(a.interpreter_id)))
        for day in range(len(mission.days)):
            for slot in range(mission.slots_per_day):
                start, end = slot_start(mission, day, slot), slot_start(mission, day, slot + 1)
                if a.start < end and a.end > start:
                    taken.update((key, day, slot) for key in keys)
    return frozenset(taken)


def slot_start(mission: Mission, day: int, slot: int) -> dt.datetime:
    naive = dt.datetime.combine(mission.days[day], mission.day_start) + dt.timedelta(
        minutes=slot * mission.slot_minutes
    )
    return timezone.make_aware(naive)


@transaction.atomic
def run_planner(*, mission: Mission, cases: list[Case], time_limit: float = 7.0) -> dict:
    """Plans `cases` into the mission's grid, replacing any earlier plan; returns (and
    keeps on the mission) the figures, the first-come baseline's and the cases left out."""
    mission = Mission.objects.select_for_update().get(pk=mission.pk)
    if mission.status == Mission.Status.CONFIRMED:
        raise MissionError("confirmed", _("The schedule is confirmed: it is not planned again."))
    if not cases:
        raise MissionError("no_cases", _("No case to plan."))
    needs, left_out = _needs(mission, cases)
    grid, rooms, staff, interpreters = _grid(mission)
    links = _links(cases)
    result = planner.plan(needs, grid, time_limit=time_limit, links=links)
    baseline = planner.first_come(needs, grid)
    by_id = {c.case_id: c for c in cases}
    mission.slots.all().delete()
    MissionSlot.objects.bulk_create(
        MissionSlot(
            mission=mission,
            case=by_id[p.key],
            start=slot_start(mission, p.day, p.slot),
            end=slot_start(mission, p.day, p.slot + p.length),
            room=rooms[p.room],
            interviewer=staff[p.interviewer] if p.interviewer is not None else None,
            interpreter=interpreters[p.interpreter] if p.interpreter else None,
            languages=",".join(sorted(result.needs[p.key].languages)),
            priority=result.needs[p.key].priority,
        )
        for p in result.placements
    )
    mission.plan = {
        "figures": result.figures(),
        "baseline": baseline.figures(),
        "left_out": dict(sorted({**left_out, **result.unplaced}.items())),
        "cases": len(cases),
        "links": sorted(list(pair) for pair in links),
    }
    mission.status = Mission.Status.PLANNED
    mission.save(update_fields=["plan", "status"])
    return mission.plan


@transaction.atomic
def confirm(*, mission: Mission) -> int:
    """Books every slot of the plan as a resettlement interview (all or none); returns
    how many were booked."""
    mission = Mission.objects.select_for_update().get(pk=mission.pk)
    if mission.status != Mission.Status.PLANNED:
        raise MissionError("not_planned", _("Run the planner before confirming."))
    kind = AppointmentType.objects.get(pk=AppointmentType.RESETTLEMENT_INTERVIEW)
    slots = list(
        mission.slots.filter(appointment__isnull=True).select_related(
            "case", "room", "interviewer", "interpreter"
        )
    )
    for slot in slots:
        try:
            slot.appointment = services.book(
                type=kind,
                case=slot.case,
                start=slot.start,
                end=slot.end,
                room=slot.room,
                interviewer=slot.interviewer,
                interpreter=slot.interpreter,
            )
        except services.BookingError as exc:
            raise MissionError(
                exc.rule,
                _("%(case)s at %(when)s: %(message)s")
                % {
                    "case": slot.case.case_id,
                    "when": timezone.localtime(slot.start).strftime("%Y-%m-%d %H:%M"),
                    "message": exc,
                },
            ) from None
        slot.save(update_fields=["appointment"])
    mission.status = Mission.Status.CONFIRMED
    mission.save(update_fields=["status"])
    return len(slots)


def schedule(*, user, mission: Mission) -> list[dict]:
    """The mission's slots, by day, each with its case's shared fields (the members'
    names, the size, the languages needed): a delegation sees only the cases it may see
    (those submitted to its country) and only once the schedule is confirmed."""
    slots = mission.slots.select_related("case", "room", "interviewer", "interpreter")
    if policy.is_delegation(user):
        if mission.status != Mission.Status.CONFIRMED:
            return []
        slots = slots.filter(case__in=policy.visible_cases(user))
    days: dict[dt.date, list[dict]] = {}
    for slot in slots.prefetch_related("case__members"):
        members = [
            m
            for m in slot.case.members.all()
            if m.merged_into_id is None and m.removed_at is None and m.departure_date is None
        ]
        days.setdefault(timezone.localtime(slot.start).date(), []).append(
            {
                "slot": slot,
                "size": len(members),
                "names": [
                    f"{m.given_name} {m.family_name}"
                    for m in sorted(members, key=lambda m: m.person_id)
                ],
            }
        )
    return [{"day": day, "rows": rows} for day, rows in sorted(days.items())]
