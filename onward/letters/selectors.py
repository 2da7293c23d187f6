"""What a household may be sent: the records each letter is made from, already scoped by
the case (the views fetch the case through the policy's door first)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from onward.interviews.models import Appointment
from onward.movements.models import ManifestLine, Transfer
from onward.relocation.models import InformationRequest, State, Submission


def members(case) -> list:
    """The household as the resident knows it: not merged duplicates, not removed."""
    return [
        p
        for p in case.members.all().order_by("person_id")
        if p.merged_into_id is None and p.removed_at is None
    ]


def appointments(case):
    """The case's planned appointments, and those of its members."""
    return (
        Appointment.objects.filter(Q(case=case) | Q(person__case=case))
        .filter(status=Appointment.Status.PLANNED, start__isnull=False)
        .select_related("type", "room", "interpreter", "person")
        .order_by("start")
    )


def appointment_of(case, appointment_id) -> Appointment | None:
    try:
        return appointments(case).get(pk=int(appointment_id))
    except (Appointment.DoesNotExist, ValueError, OverflowError):
        return None


def departure_lines(case):
    """The case's live lines on transfers that are not cancelled (a planned flight, or
    a departed one whose notice is printed again)."""
    return (
        ManifestLine.objects.filter(case=case, removed_at__isnull=True)
        .exclude(transfer__status=Transfer.Status.CANCELLED)
        .select_related("transfer")
        .order_by("transfer__date")
    )


def departure_line(case, transfer_id) -> ManifestLine | None:
    try:
        return departure_lines(case).get(transfer_id=int(transfer_id))
    except (ManifestLine.DoesNotExist, ValueError, OverflowError):
        return None


@dataclass(frozen=True)
class Decision:
    """What the resident is told of a submission: the outcome, the country only when it
    accepted them, the members it accepted when not all, and a date."""

    outcome: str  # accepted, rejected, deferred, info_requested
    submission: Submission
    country: str = ""
    accepted: tuple = ()
    until: object = None  # deferred until / information due on


def decision(case) -> Decision | None:
    """The latest submission's decision as the resident may know it, or None while the
    country has said nothing (pending without a deferral or a request) or it was
    withdrawn."""
    submission = (
        Submission.objects.filter(case=case)
        .exclude(decision=Submission.Decision.WITHDRAWN)
        .select_related("pledge")
        .first()
    )
    if submission is None:
        return None
    if submission.decision == Submission.Decision.ACCEPTED:
        ids = set(submission.accepted_members or ())
        accepted = tuple(p for p in members(case) if p.person_id in ids) if ids else ()
        return Decision("accepted", submission, submission.pledge.country, accepted)
    if submission.decision == Submission.Decision.REJECTED:
        return Decision("rejected", submission)
    asked = (
        InformationRequest.objects.filter(submission=submission, answered_at__isnull=True)
        .order_by("due_on")
        .first()
    )
    if asked is not None:
        return Decision("info_requested", submission, until=asked.due_on)
    stage = getattr(case, "relocation", None)
    if submission.deferred_until or (stage is not None and stage.state == State.DEFERRED):
        return Decision("deferred", submission, until=submission.deferred_until)
    return None
