"""Writing the audit log. Every entry is written in the caller's transaction, so a write
and its audit entry land together or not at all (Zulip's rule)."""

from onward.audit.middleware import request_meta
from onward.audit.models import AuditEntry


def audit_record(
    *,
    actor,
    action: str,
    object_type: str = "",
    object_id: str = "",
    changes: dict | None = None,
    detail: str = "",
    actor_name: str | None = None,
) -> AuditEntry:
    meta = request_meta()
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_name=actor_name if actor_name is not None else (user.username if user else ""),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        changes=changes or {},
        detail=detail[:255],
        ip=meta.ip,
        channel=meta.channel,
        path=meta.path,
    )


def audit_read(*, actor, obj) -> AuditEntry:
    return audit_record(
        actor=actor, action=AuditEntry.Action.VIEW,
        object_type=obj.audit_type, object_id=obj.public_id,
    )
