"""Reading the retention policy for its page: the rules in force, how many persons each
names today (counts only: the page shows no personal data), and the runs so far."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet

from onward.audit.models import AuditEntry
from onward.retention.services import retention_plan


def policy_rows(today: dt.date) -> list[dict]:
    return [
        {
            "rule": item.rule,
            "cutoff": item.cutoff,
            "due": item.count,
        }
        for item in retention_plan(today=today, ids=False)
    ]


def kept_by_own_rule() -> dict:
    """The values the other rules read, for the page."""
    return {"upload_days": settings.ONWARD_UPLOAD_RETENTION_DAYS}


def recent_runs(limit: int = 10) -> QuerySet:
    return AuditEntry.objects.filter(object_type="retention").order_by("-at", "-id")[:limit]
