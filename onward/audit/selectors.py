from django.db.models import QuerySet

from onward.audit.models import AuditEntry


def audit_search(
    *, actor: str = "", action: str = "", object_id: str = "", date_from=None, date_to=None
) -> QuerySet:
    """Audit entries matching the filters. Reading the log is the auditor's and the
    administrator's (`audit.view`): its one page checks it (web/views.py)."""
    entries = AuditEntry.objects.all()
    if actor:
        entries = entries.filter(actor_name__icontains=actor)
    if action:
        entries = entries.filter(action=action)
    if object_id:
        entries = entries.filter(object_id__iexact=object_id.strip())
    if date_from:
        entries = entries.filter(at__date__gte=date_from)
    if date_to:
        entries = entries.filter(at__date__lte=date_to)
    return entries
