"""The presence rules of the tasks registry (onward/tasks/rules.py, docs/tasks.md).

- "resident not seen": a resident holding a live card, present and housed, not seen
  for `PRESENCE_NOT_SEEN_DAYS` days (since their last event, or since the card was
  issued when never seen) — to the protection officers, who find out whether they left.
- "missing after roll call": a resident marked missing at a roll call, not departed and
  not seen since — on the follow-up list until found or recorded as departed.
Titles carry ids only, never personal data.
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_noop

from onward.accounts import roles
from onward.refusals import define
from onward.tasks.rules import Due, rule

# The tasks' titles by code (onward/refusals.py), told in the reader's language.
NOT_SEEN = define("task.resident_not_seen", gettext_noop("%(person)s not seen since %(since)s"))
MISSING_AFTER_ROLL_CALL = define(
    "task.missing_after_roll_call", gettext_noop("%(person)s missing since roll call %(roll)s")
)


def not_seen_days() -> int:
    return int(getattr(settings, "PRESENCE_NOT_SEEN_DAYS", 14))


@rule("resident not seen")
def resident_not_seen(today: dt.date) -> Iterable[Due]:
    from onward.camp.selectors import allocated_on
    from onward.presence.models import Card, LastSeen

    days = not_seen_days()
    limit = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days), dt.time()))
    seen = LastSeen.objects.filter(person=OuterRef("person_id")).values("at")[:1]
    cards = (
        Card.objects.filter(revoked_at__isnull=True, person__departure_date__isnull=True)
        .filter(person__in=allocated_on(today).values("person_id"))
        .annotate(since=Coalesce(Subquery(seen), "issued_at"))
        .filter(since__lt=limit)
        .values_list("person_id", "person__person_id", "since")
    )
    for pk, person_id, since in cards:
        last = timezone.localtime(since).date()
        yield Due.told(
            "person",
            pk,
            NOT_SEEN,
            {"person": person_id, "since": last},
            last + dt.timedelta(days=days),
            roles.PROTECTION,
        )


@rule("missing after roll call")
def missing_after_roll_call(today: dt.date) -> Iterable[Due]:
    from onward.presence.selectors import missing_after_roll_calls
    from onward.registry.models import Person

    rows = missing_after_roll_calls()
    ids = dict(
        Person.objects.filter(pk__in=[r["person_id"] for r in rows]).values_list("pk", "person_id")
    )
    for row in rows:
        yield Due.told(
            "person",
            row["person_id"],
            MISSING_AFTER_ROLL_CALL,
            {"person": ids[row["person_id"]], "roll": row["roll"]},
            timezone.localtime(row["marked"]).date(),
            roles.PROTECTION,
        )
