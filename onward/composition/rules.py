"""The rules of case composition, each a function that says why a change is refused, or
None. Services call them after locking; the pages call them to show what is possible."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from onward.composition.models import CaseChange
from onward.registry import codes
from onward.registry.models import Case, Person
from onward.relocation.models import Submission

Refusal = tuple[str, str] | None


def refuse(refusal: Refusal) -> None:
    if refusal is not None:
        field, message = refusal
        raise ValidationError({field: message})


def present(case: Case):
    """The members who count: not merged away, not removed, not departed."""
    return Person.objects.filter(
        case=case,
        merged_into__isnull=True,
        removed_at__isnull=True,
        departure_date__isnull=True,
    )


def _open_submission(case: Case) -> Submission | None:
    return (
        Submission.objects.filter(case=case, decision__in=["", "accepted"])
        .select_related("pledge")
        .first()
    )


def _submission_refusal(case: Case, leaving: list[Person] | None) -> Refusal:
    """A case under an open submission keeps its members: the country decides on them.
    The one exception (Handbook 4.10): after a split decision, the members the country did
    not accept may leave the case."""
    sub = _open_submission(case)
    if sub is None:
        return None
    if leaving is not None and sub.is_split:
        accepted = set(sub.accepted_members or ())
        if not accepted & {p.person_id for p in leaving}:
            return None
    return "case", (
        _(
            "Case %(case)s has an open submission (to %(pledge)s): its members change only after it is withdrawn, or when a split decision left them out."
        )
        % {"case": case.case_id, "pledge": sub.pledge}
    )


def _person_refusal(person: Person) -> Refusal:
    if person.merged_into_id:
        return "person", _("%(person)s is a merged duplicate record.") % {
            "person": person.person_id
        }
    if person.removed_at:
        return "person", _("%(person)s is removed from the registry.") % {
            "person": person.person_id
        }
    if person.departure_date:
        return "person", _("%(person)s departed on %(departure_date)s.") % {
            "person": person.person_id,
            "departure_date": person.departure_date,
        }
    return None


def _case_refusal(case: Case) -> Refusal:
    if case.removed_at:
        return "case", _("Case %(case)s is removed from the registry.") % {"case": case.case_id}
    if case.status != Case.Status.OPEN:
        return "case", _("Case %(case)s is closed.") % {"case": case.case_id}
    return None


def move_refusal(
    person: Person, source: Case, target: Case, relationship: str, new_principal: Person | None
) -> Refusal:
    if target.pk == source.pk:
        return "target", _("%(person)s is already in case %(case)s.") % {
            "person": person.person_id,
            "case": target.case_id,
        }
    if relationship not in codes.RELATIONSHIPS:
        return "relationship", _("Unknown relationship %(relationship)r.") % {
            "relationship": relationship
        }
    for refusal in (
        _person_refusal(person),
        _case_refusal(target),
        _submission_refusal(source, [person]),
        _submission_refusal(target, None),
    ):
        if refusal:
            return refusal
    if relationship == "principal" and present(target).filter(relationship="principal").exists():
        return "relationship", (
            _("Case %(case)s already has a principal applicant; a case has exactly one.")
            % {"case": target.case_id}
        )
    staying = present(source).exclude(pk=person.pk)
    if person.relationship == "principal" and staying.exists():
        if new_principal is None:
            return "new_principal", (
                _(
                    "%(person)s is the principal applicant of %(case)s: name the member who becomes its principal."
                )
                % {"person": person.person_id, "case": source.case_id}
            )
        if not staying.filter(pk=new_principal.pk).exists():
            return "new_principal", (
                _("%(person)s is not a member staying in %(case)s.")
                % {"person": new_principal.person_id, "case": source.case_id}
            )
    elif new_principal is not None:
        return "new_principal", (
            _("%(person)s is not the principal applicant: %(case)s keeps its own.")
            % {"person": person.person_id, "case": source.case_id}
        )
    return None


def split_refusal(
    case: Case, members: list[Person], chosen: list[Person], principal: Person
) -> Refusal:
    member_pks = {p.pk for p in members}
    if not chosen:
        return "persons", _("Choose the members who form the new case.")
    strangers = sorted(p.person_id for p in chosen if p.pk not in member_pks)
    if strangers:
        return "persons", _("Not members present in case %(case)s: %(items)s.") % {
            "case": case.case_id,
            "items": ", ".join(strangers),
        }
    if len(chosen) >= len(members):
        return "persons", _("At least one member stays in case %(case)s.") % {"case": case.case_id}
    if any(p.relationship == "principal" for p in chosen):
        return "persons", (
            _(
                "The principal applicant of %(case)s stays in it; move them instead to change who leads the case."
            )
            % {"case": case.case_id}
        )
    if principal.pk not in {p.pk for p in chosen}:
        return "principal", _("The new case's principal applicant is one of the members split off.")
    return _case_refusal(case) or _submission_refusal(case, chosen)


def undo_refusal(change: CaseChange, persons: list[Person], source: Case, target: Case) -> Refusal:
    if change.undone_at:
        return "change", _("This change has already been undone.")
    moved_since = sorted(
        p.person_id for p in persons if [p.case_id, p.relationship] != change.after[str(p.pk)]
    )
    if moved_since:
        return "change", (
            _("%(items)s changed case or relationship since: undo the later change first.")
            % {"items": ", ".join(moved_since)}
        )
    gone = sorted(filter(None, (_person_refusal(p) for p in persons)))
    if gone:
        return gone[0]
    for case in (source, target):
        refusal = _submission_refusal(case, None)
        if refusal:
            return refusal
    if change.target_created and present(target).exclude(pk__in=[p.pk for p in persons]).exists():
        return "change", _("Case %(case)s has gained members since: move them first.") % {
            "case": target.case_id
        }
    return None
