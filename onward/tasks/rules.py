"""The rules that make tasks: a registry of small functions (docs/tasks.md).

A rule is a function of `today` that returns the tasks its condition calls for now, as
`Due` values; `refresh` (services.py) opens the missing ones and ends the open tasks of
the rule whose subject is no longer returned. Another app adds a rule by decorating a
function with `@rule("name")` in a module its AppConfig.ready imports.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from onward.accounts import roles

SUBMISSION_WAIT_DAYS = 30
PLEDGE_ENDING_DAYS = 30


@dataclass(frozen=True)
class Due:
    subject_type: str
    subject_id: int
    title: str
    due: dt.date
    role: str


RULES: dict[str, Callable[[dt.date], Iterable[Due]]] = {}

# The rules' names (their ids, in English) marked for the catalogs: a page that lists
# them shows `rule_label(name)`, in the reader's language.
RULE_NAMES = (
    gettext_noop("submission waiting"),
    gettext_noop("protection follow-up"),
    gettext_noop("merge review"),
    gettext_noop("pledge ending"),
    gettext_noop("readiness expiring before flight"),
    gettext_noop("accepted not ready"),
    gettext_noop("resident not seen"),
    gettext_noop("missing after roll call"),
)


def rule_label(name: str) -> str:
    return gettext(name)


def rule(name: str):
    def register(fn):
        RULES[name] = fn
        return fn

    return register


@rule("submission waiting")
def submission_waiting(today: dt.date) -> Iterable[Due]:
    from onward.relocation.models import Submission

    limit = today - dt.timedelta(days=SUBMISSION_WAIT_DAYS)
    for pk, submitted_at in Submission.objects.filter(
        decision="", submitted_at__date__lte=limit
    ).values_list("pk", "submitted_at"):
        yield Due(
            "submission",
            pk,
            f"Submission {pk} awaits a decision since {submitted_at.date()}",
            submitted_at.date() + dt.timedelta(days=SUBMISSION_WAIT_DAYS),
            roles.RESETTLEMENT,
        )


@rule("protection follow-up")
def protection_follow_up(today: dt.date) -> Iterable[Due]:
    from onward.incidents.models import ProtectionRequest

    done = [ProtectionRequest.Status.DONE, ProtectionRequest.Status.REFUSED]
    for pk, on in (
        ProtectionRequest.objects.exclude(status__in=done)
        .filter(follow_up_on__lte=today)
        .values_list("pk", "follow_up_on")
    ):
        yield Due(
            "protection_request", pk, f"Follow up protection request {pk}", on, roles.PROTECTION
        )


@rule("merge review")
def merge_review(today: dt.date) -> Iterable[Due]:
    from onward.dedup.models import DuplicatePair

    for pk, found in DuplicatePair.objects.filter(status=DuplicatePair.Status.PENDING).values_list(
        "pk", "decided_at"
    ):
        on = found.date() if found else today
        yield Due(
            "duplicate_pair", pk, f"Merge {pk} awaits a second reviewer", on, roles.DATA_MANAGER
        )


@rule("pledge ending")
def pledge_ending(today: dt.date) -> Iterable[Due]:
    from onward.relocation.models import Pledge
    from onward.relocation.selectors import pledges_figures

    pledges = list(
        Pledge.objects.filter(
            status=Pledge.Status.OPEN,
            valid_to__gte=today,
            valid_to__lte=today + dt.timedelta(days=PLEDGE_ENDING_DAYS),
        )
    )
    figures = pledges_figures(pledges)
    for pledge in pledges:
        if any((f["remaining"] or 0) > 0 for f in figures[pledge.pk].values()):
            yield Due(
                "pledge",
                pledge.pk,
                f"Pledge {pledge.pk} ends on {pledge.valid_to} with places left",
                pledge.valid_to,
                roles.RESETTLEMENT,
            )


# Departure readiness (issue 19): the reminders of the dashboard and the readiness page,
# as tasks (onward.movements.readiness_numbers reads the same facts and manifests).


@rule("readiness expiring before flight")
def readiness_expiring_before_flight(today: dt.date) -> Iterable[Due]:
    from onward.movements.readiness_numbers import readiness_numbers

    numbers = readiness_numbers(today)
    for pk, flight in sorted(numbers.flight_of.items()):
        yield Due(
            "person",
            pk,
            f"Person {pk}: a requirement expires before the flight of {flight}",
            today,
            roles.RESETTLEMENT,
        )


@rule("accepted not ready")
def accepted_not_ready(today: dt.date) -> Iterable[Due]:
    from onward.movements.readiness_numbers import readiness_numbers

    numbers = readiness_numbers(today)
    days = numbers.late_days
    for pk in sorted(c for cases in numbers.late.values() for c in cases):
        accepted = timezone.localdate(numbers.decided[pk])
        yield Due(
            "case",
            pk,
            f"Case {pk} accepted on {accepted}, not ready after {days} days",
            accepted + dt.timedelta(days=days),
            roles.RESETTLEMENT,
        )
