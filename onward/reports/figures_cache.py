"""The dashboard's figures, kept between requests until a record changes.

The dashboard's tables are the dearest page of the load mix (about 170 ms of CPU on the
demo's data, a third of the mix's), and they change only when a record does. Every write
in Onward is audited in its own transaction (onward.audit.services, the one writer), and
the audit writer signals `write_committed` once such a transaction has committed: `bump`
then moves a counter on, and tables computed under an older value are not shown again. The
counter is a row in the database, so a write in any server process or in the worker is
seen by every process at the next dashboard request (one primary-key read).

Why after the commit: a reader that read the counter before a write's commit and its
figures after it stores figures that are newer than their counter, never older; the bump
after the commit then retires them. `ONWARD_FIGURES_CACHE_SECONDS` bounds the age of a
table even for a write that bypassed the audit writer (none is known); 0 turns the cache
off (the test settings: a test's transaction never commits). The page says when its
figures were computed.

Kept per process, a few entries (one per scope, date, rule and language asked lately).
A delegation's entry is its user's own, so that no cache key is shared across countries.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.db.models import F
from django.utils import timezone, translation

from onward import numerals
from onward.accounts.policy import is_delegation
from onward.reports.models import FiguresGeneration

MAX_ENTRIES = 32
_lock = threading.Lock()
_entries: OrderedDict[tuple, tuple[int, float, dt.datetime, list]] = OrderedDict()


def seconds() -> int:
    return int(getattr(settings, "ONWARD_FIGURES_CACHE_SECONDS", 0))


def generation() -> int:
    """The counter's value. Its row is made by the migration; made again here if a flush
    of the database removed it."""
    value = FiguresGeneration.objects.filter(pk=1).values_list("value", flat=True).first()
    if value is None:
        FiguresGeneration.objects.bulk_create([FiguresGeneration(pk=1)], ignore_conflicts=True)
        return generation()
    return value


def bump(**_signal) -> None:
    """A transaction that changed records has committed (audit's `write_committed`, once
    per transaction: an import's 100,000 rows move the counter once)."""
    if seconds():
        FiguresGeneration.objects.filter(pk=1).update(value=F("value") + 1)


def _scope(user) -> tuple:
    if is_delegation(user):
        return ("delegation", user.pk)
    return ("staff", user.role)


def kept(user, on: dt.date, rule: str, compute: Callable[[], list]) -> tuple[list, dt.datetime]:
    """The dashboard's sections for (user's scope, on, rule) in the current language and
    digits, and when they were computed: kept ones if no record changed since, else
    `compute()`'s. Shared between requests: the caller reads them and changes nothing."""
    limit = seconds()
    if not limit:
        return compute(), timezone.now()
    key = (_scope(user), on, rule, translation.get_language(), numerals.current())
    current = generation()
    now = time.monotonic()
    with _lock:
        kept = _entries.get(key)
        if kept and kept[0] == current and now - kept[1] < limit:
            _entries.move_to_end(key)
            return kept[3], kept[2]
    fresh = compute()
    computed_at = timezone.now()
    with _lock:
        _entries[key] = (current, now, computed_at, fresh)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return fresh, computed_at


def clear() -> None:
    with _lock:
        _entries.clear()
