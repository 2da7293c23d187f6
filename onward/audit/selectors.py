from django.db.models import QuerySet

from onward.accounts.policy import require
from onward.audit.models import AuditEntry


def audit_search(*, user, actor: str = "", action: str = "", object_id: str = "",
                 date_from=None, date_to=None) -> QuerySet:
    """Audit entries matching the filters, for a user allowed to read the log."""
    require(user, "audit.view")
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
