"""What "both records exactly as before" compares, for the merge and undo tests."""

from onward.registry.models import Case, Person, PersonNameKey


def record_snapshot(pk: int) -> dict:
    """A person read afresh: every column but the version and the time of the last
    change (both only move on), the specific needs, the search keys as indexed, and the
    case's status, principal applicant and number of notes."""
    person = Person.objects.get(pk=pk)
    fields = {
        f.attname: getattr(person, f.attname)
        for f in Person._meta.concrete_fields
        if f.name not in ("version", "updated_at")
    }
    case = Case.objects.get(pk=person.case_id)
    return {
        **fields,
        "needs": sorted(person.specific_needs.values_list("code", flat=True)),
        "name_keys": sorted(
            PersonNameKey.objects.filter(person=person).values_list("key", flat=True)
        ),
        "case": (
            case.status,
            list(case.members.filter(relationship="principal").values_list("pk", flat=True)),
            case.notes.count(),
        ),
    }
