"""The rules that make tasks: a registry of small functions (docs/tasks.md).

A rule is a function of `today` that returns the tasks its condition calls for now, as
`Due` values; `refresh` (services.py) opens the missing ones and ends the open tasks of
the rule whose subject is no longer returned. Another app adds a rule by decorating a
function with `@rule("name")` in a module its AppConfig.ready imports.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from onward.accounts import roles
from onward.refusals import define, english, plain

SUBMISSION_WAIT_DAYS = 30
PLEDGE_ENDING_DAYS = 30


@dataclass(frozen=True)
class Due:
    subject_type: str
    subject_id: int
    title: str  # in English: the fallback, and what a task written before holds
    due: dt.date
    role: str
    # The title by code and parameters (onward/refusals.py), told in the reader's
    # language where a task is shown; "" for a title without a code.
    title_code: str = ""
    title_params: dict = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def told(cls, subject_type: str, subject_id: int, code: str, params: dict, due, role):
        """A task whose title is `code` (declared with `define`) with its parameters."""
        kept = {name: plain(value) for name, value in params.items()}
        return cls(subject_type, subject_id, english(code, kept), due, role, code, kept)


# The titles of the rules' tasks, by code (onward/refusals.py): a task keeps the code and
# its parameters, and My tasks shows the title in its reader's language. Dates as ISO.
SUBMISSION_WAITING = define(
    "task.submission_waiting",
    gettext_noop("Submission %(id)s awaits a decision since %(since)s"),
)
PROTECTION_FOLLOW_UP = define(
    "task.protection_follow_up", gettext_noop("Follow up protection request %(id)s")
)
MERGE_REVIEW = define("task.merge_review", gettext_noop("Merge %(id)s awaits a second reviewer"))
PLEDGE_ENDING = define(
    "task.pledge_ending", gettext_noop("Pledge %(id)s ends on %(on)s with places left")
)
READINESS_EXPIRING = define(
    "task.readiness_expiring",
    gettext_noop("Person %(id)s: a requirement expires before the flight of %(flight)s"),
)
ACCEPTED_NOT_READY = define(
    "task.accepted_not_ready",
    gettext_noop("Case %(id)s accepted on %(on)s, not ready after %(days)s days"),
)


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
        yield Due.told(
            "submission",
            pk,
            SUBMISSION_WAITING,
            {"id": pk, "since": submitted_at.date()},
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
        yield Due.told(
            "protection_request", pk, PROTECTION_FOLLOW_UP, {"id": pk}, on, roles.PROTECTION
        )


@rule("merge review")
def merge_review(today: dt.date) -> Iterable[Due]:
    from onward.dedup.models import DuplicatePair

    for pk, found in DuplicatePair.objects.filter(status=DuplicatePair.Status.PENDING).values_list(
        "pk", "decided_at"
    ):
        on = found.date() if found else today
        yield Due.told("duplicate_pair", pk, MERGE_REVIEW, {"id": pk}, on, roles.DATA_MANAGER)


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
            yield Due.told(
                "pledge",
                pledge.pk,
                PLEDGE_ENDING,
                {"id": pledge.pk, "on": pledge.valid_to},
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
        yield Due.told(
            "person",
            pk,
            READINESS_EXPIRING,
            {"id": pk, "flight": flight},
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
        yield Due.told(
            "case",
            pk,
            ACCEPTED_NOT_READY,
            {"id": pk, "on": accepted, "days": days},
            accepted + dt.timedelta(days=days),
            roles.RESETTLEMENT,
        )
