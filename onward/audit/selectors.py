import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from onward.audit.models import AuditArchive, AuditEntry


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_search(
    *, actor: str = "", action: str = "", object_id: str = "", date_from=None, date_to=None
) -> QuerySet:
    """Audit entries matching the filters. Reading the log is the auditor's and the
    administrator's (`audit.view`): its one page checks it (web/views.py)."""
    entries = AuditEntry.objects.all()
    if actor:
        entries = entries.filter(**_actor_lookup(actor))
    if action:
        entries = entries.filter(action=action)
    if object_id:
        entries = entries.filter(object_id__iexact=object_id.strip())
    # Bounds on `at` itself, not on its date: PostgreSQL then reads only the months'
    # partitions the range touches (a cast to a date hides the key from the planner).
    if date_from:
        entries = entries.filter(at__gte=_day_start(date_from))
    if date_to:
        entries = entries.filter(at__lt=_day_start(date_to + dt.timedelta(days=1)))
    return entries


def _actor_lookup(actor: str) -> dict[str, str]:
    """A user's own name finds that user's entries (not also "ali2" for "ali"): one
    range of the (UPPER(actor_name), at) index; any other text, the names containing it
    (a scan, for the auditor who remembers part of a name)."""
    if AuditEntry.objects.filter(actor_name__iexact=actor).exists():
        return {"actor_name__iexact": actor}
    return {"actor_name__icontains": actor}


def archived_months() -> list[AuditArchive]:
    """The months of the audit log archived out of the database (`onward archive`) and
    not restored: the auditor's search does not find their entries."""
    return list(AuditArchive.objects.filter(restored_at__isnull=True).order_by("month"))
