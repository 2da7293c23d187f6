"""Changes to who is in which case: move a member, split a case, link two cases, undo.

Each function is atomic, locks the cases it changes (in pk order, so two changes to the
same cases queue instead of deadlocking), checks every rule before writing (rules.py),
writes its audit entries in the same transaction and raises ValidationError naming the
rule it breaks, changing nothing.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from onward.accounts.policy import require
from onward.audit.actor import acting_user
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.composition import rules
from onward.composition.models import CaseChange, CaseLink
from onward.registry.models import Case, Person
from onward.registry.services import new_case_id
from onward.relocation.models import Submission
from onward.relocation.usage import cases_profile, usage_from_members

REASON_MAX = 255


def _reason(raw) -> str:
    reason = " ".join(str(raw or "").split())
    if not reason:
        raise ValidationError(
            {"reason": _("Give the reason for this change (it is kept on record).")}
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("The reason is longer than %(max)s characters.") % {"max": REASON_MAX}}
        )
    return reason


def _lock_cases(*cases: Case) -> list[Case]:
    pks = sorted({c.pk for c in cases})
    locked = {c.pk: c for c in Case.objects.select_for_update().filter(pk__in=pks).order_by("pk")}
    return [locked[c.pk] for c in cases]


def _members(case: Case) -> list[Person]:
    return list(rules.present(case).select_for_update().order_by("person_id"))


def _state(persons) -> dict[str, list]:
    return {str(p.pk): [p.case_id, p.relationship] for p in persons}


def _apply(state: dict[str, list]) -> None:
    """Put each person in the case and relationship given. Principals last: a case never
    holds two principals, even for an instant (the unique constraint is immediate)."""
    order = sorted(state.items(), key=lambda item: item[1][1] == "principal")
    for pk, (case_pk, relationship) in order:
        Person.objects.filter(pk=int(pk)).update(
            case_id=case_pk,
            relationship=relationship,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )


def _usage_follows(case: Case) -> None:
    """A split decision's submission counts the accepted members still in the case."""
    sub = Submission.objects.filter(case=case, decision__in=["", "accepted"]).first()
    if sub is None:
        return
    members = cases_profile([case.pk])[case.pk].members
    if sub.accepted_members:
        members = {p: n for p, n in members.items() if p in set(sub.accepted_members)}
    sub.usage = {**sub.usage, **usage_from_members([set(n) for n in members.values()])}
    sub.save(update_fields=["usage"])


def _audit_cases(actor, change: CaseChange, ids: list[str], verb: str) -> None:
    for case in {change.source, change.target}:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="case",
            object_id=case.case_id,
            changes={"members": [verb, ", ".join(ids)]},
            detail=f"{_english_kind(change)} {change.source.case_id}→{change.target.case_id}: "
            f"{change.reason}"[:255],
        )


def _record(*, actor, kind, source, target, before, after, reason, at, **flags) -> CaseChange:
    change = CaseChange.objects.create(
        kind=kind,
        source=source,
        target=target,
        before=before,
        after=after,
        reason=reason,
        at=at,
        by=actor,
        **flags,
    )
    for case in (source, target):
        case.version += 1
        case.save(update_fields=["version", "status", "updated_at"])
    return change


@transaction.atomic
def person_move(
    *,
    actor,
    person: Person,
    target: Case,
    relationship: str,
    reason: str,
    new_principal: Person | None = None,
    at: dt.datetime | None = None,
) -> CaseChange:
    """Move one member to another case, as `relationship` there. Moving a principal out
    of a case that keeps members names the member who becomes its principal; a case left
    empty is closed (and reopened by the undo)."""
    require(actor, "registry.compose")
    reason, at = _reason(reason), at or timezone.now()
    source, target = _lock_cases(person.case, target)
    person = Person.objects.select_for_update().get(pk=person.pk)
    rules.refuse(rules.move_refusal(person, source, target, relationship, new_principal))
    staying = [p for p in _members(source) if p.pk != person.pk]
    touched = [person] + ([new_principal] if new_principal else [])
    before = _state(touched)
    after = {str(person.pk): [target.pk, relationship]}
    if new_principal:
        after[str(new_principal.pk)] = [source.pk, "principal"]
    _apply(after)
    source_closed = not staying
    if source_closed:
        source.status = Case.Status.CLOSED
    change = _record(
        actor=actor,
        kind=CaseChange.Kind.MOVE,
        source=source,
        target=target,
        before=before,
        after=after,
        reason=reason,
        at=at,
        source_closed=source_closed,
    )
    _usage_follows(source)
    _audit_cases(actor, change, [person.person_id], "moved")
    return change


@transaction.atomic
def case_split(
    *,
    actor,
    case: Case,
    persons: list[Person],
    principal: Person,
    reason: str,
    at: dt.datetime | None = None,
) -> CaseChange:
    """Split `persons` off into a new case, `principal` its principal applicant. The new
    case keeps the old one's arrival date; the old one keeps at least one member, and a
    principal (its principal may not leave in a split: move them instead)."""
    require(actor, "registry.compose")
    reason, at = _reason(reason), at or timezone.now()
    (case,) = _lock_cases(case)
    members = {p.pk: p for p in _members(case)}
    chosen = [members.get(p.pk) or p for p in persons]
    rules.refuse(rules.split_refusal(case, list(members.values()), chosen, principal))
    new = Case.objects.create(case_id=new_case_id(), arrival_date=case.arrival_date)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        object_type="case",
        object_id=new.case_id,
        detail=f"split from {case.case_id}: {reason}"[:255],
    )
    before = _state(chosen)
    after = {
        str(p.pk): [new.pk, "principal" if p.pk == principal.pk else p.relationship] for p in chosen
    }
    _apply(after)
    change = _record(
        actor=actor,
        kind=CaseChange.Kind.SPLIT,
        source=case,
        target=new,
        before=before,
        after=after,
        reason=reason,
        at=at,
        target_created=True,
    )
    _usage_follows(case)
    _audit_cases(actor, change, sorted(p.person_id for p in chosen), "split off")
    return change


@transaction.atomic
def change_undo(*, actor, change: CaseChange, reason: str) -> CaseChange:
    """Put every person the change touched back where they were. Refused when a later
    change moved one of them again (undo that first), or a case has gained an open
    submission since."""
    require(actor, "registry.compose")
    reason = _reason(reason)
    source, target = _lock_cases(change.source, change.target)
    change = CaseChange.objects.select_for_update().get(pk=change.pk)
    persons = list(
        Person.objects.select_for_update().filter(pk__in=[int(pk) for pk in change.after])
    )
    rules.refuse(rules.undo_refusal(change, persons, source, target))
    _apply(change.before)
    if change.source_closed:
        source.status = Case.Status.OPEN
    if change.target_created:
        target.status = Case.Status.CLOSED
    for case in (source, target):
        case.version += 1
        case.save(update_fields=["version", "status", "updated_at"])
    change.undone_at, change.undone_by, change.undo_reason = (
        timezone.now(),
        acting_user(actor),
        reason,
    )
    change.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    _usage_follows(source)
    ids = sorted(p.person_id for p in persons)
    _audit_cases(actor, change, ids, "undone")
    return change


@transaction.atomic
def cases_link(*, actor, case: Case, other: Case, kind: str, reason: str) -> CaseLink:
    require(actor, "registry.compose")
    reason = _reason(reason)
    if kind not in CaseLink.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of link %(kind)r.") % {"kind": kind}})
    if case.pk == other.pk:
        raise ValidationError({"other": _("A case cannot be linked to itself.")})
    a, b = sorted(_lock_cases(case, other), key=lambda c: c.pk)
    if CaseLink.objects.filter(case_a=a, case_b=b, ended_at=None).exists():
        raise ValidationError(
            {
                "other": _("%(case)s and %(other)s are already linked.")
                % {"case": a.case_id, "other": b.case_id}
            }
        )
    link = CaseLink.objects.create(
        case_a=a,
        case_b=b,
        kind=kind,
        reason=reason,
        created_at=timezone.now(),
        created_by=actor,
    )
    for this, that in ((a, b), (b, a)):
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="case",
            object_id=this.case_id,
            changes={"links": ["", f"{that.case_id} ({kind})"]},
            detail=reason[:255],
        )
    return link


@transaction.atomic
def link_end(*, actor, link: CaseLink, reason: str) -> CaseLink:
    require(actor, "registry.compose")
    reason = _reason(reason)
    link = CaseLink.objects.select_for_update().get(pk=link.pk)
    if link.ended_at:
        raise ValidationError({"link": _("This link has already ended.")})
    link.ended_at, link.ended_by, link.end_reason = timezone.now(), acting_user(actor), reason
    link.save(update_fields=["ended_at", "ended_by", "end_reason"])
    for this, that in ((link.case_a, link.case_b), (link.case_b, link.case_a)):
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            object_type="case",
            object_id=this.case_id,
            changes={"links": [f"{that.case_id} ({link.kind})", ""]},
            detail=reason[:255],
        )
    return link


def _english_kind(change) -> str:
    """The change's kind as the audit log keeps it: in English, whoever reads the page."""
    with override("en"):
        return str(change.get_kind_display())
