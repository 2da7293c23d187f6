"""What a case uses of each capacity dimension of a pledge.

One definition, shared by the workflow (capacity guards, pledge figures) and the matching
engine (its CASES.csv columns), so that a proposed match and an acceptance count alike.
"""

from collections import defaultdict
from dataclasses import dataclass, field

MEDICAL_NEEDS = frozenset({"SM", "DS"})  # serious medical condition, disability
LARGE_FAMILY_SIZE = 5


def usage_from_members(members: list[set[str]]) -> dict[str, int]:
    """`members`: the specific-need codes of each present member of the case.

    - persons: every member;
    - medical: members with a serious medical condition or a disability, each counted
      once whatever the number of such needs (so never more than `persons`);
    - large_family: 1 for a case of 5 or more persons, else 0.
    """
    persons = len(members)
    medical = sum(1 for needs in members if needs & MEDICAL_NEEDS)
    return {
        "persons": persons,
        "medical": min(medical, persons),
        "large_family": 1 if persons >= LARGE_FAMILY_SIZE else 0,
    }


@dataclass(frozen=True)
class CaseProfile:
    """What the workflow's guards need to know of a case's present members."""

    usage: dict[str, int]
    needs: frozenset[str]
    nationalities: frozenset[str]
    # Each present member's person id -> specific-need codes (a split decision's usage).
    members: dict[str, frozenset[str]] = field(default_factory=dict)


def cases_profile(case_pks) -> dict[int, CaseProfile]:
    """Usage, needs and nationalities of many cases in three queries."""
    from onward.registry.models import Person

    case_pks = list(case_pks)
    present = Person.objects.filter(
        case_id__in=case_pks,
        merged_into__isnull=True,
        removed_at__isnull=True,
        departure_date__isnull=True,
    )
    needs: dict[int, set[str]] = defaultdict(set)
    through = Person.specific_needs.through
    for person_id, code in through.objects.filter(person__in=present).values_list(
        "person_id", "specificneed_id"
    ):
        needs[person_id].add(code)
    members: dict[int, list[set[str]]] = {pk: [] for pk in case_pks}
    by_person: dict[int, dict[str, frozenset[str]]] = {pk: {} for pk in case_pks}
    nationalities: dict[int, set[str]] = {pk: set() for pk in case_pks}
    for person_pk, public_id, case_pk, nationality in present.values_list(
        "pk", "person_id", "case_id", "nationality"
    ):
        members[case_pk].append(needs.get(person_pk, set()))
        by_person[case_pk][public_id] = frozenset(needs.get(person_pk, set()))
        if nationality:
            nationalities[case_pk].add(nationality)
    return {
        pk: CaseProfile(
            usage=usage_from_members(m),
            needs=frozenset().union(*m) if m else frozenset(),
            nationalities=frozenset(nationalities[pk]),
            members=by_person[pk],
        )
        for pk, m in members.items()
    }


def cases_usage(case_pks) -> dict[int, dict[str, int]]:
    """Usage of many cases at once: {case pk: {dimension: n}}."""
    return {pk: profile.usage for pk, profile in cases_profile(case_pks).items()}


def cases_persons(case_pks) -> dict[int, int]:
    """Only the `persons` of each case's usage (its present members), counted in the
    database in one query: the funnels need the head-count of every identified case, and
    the whole profile (needs, nationalities) of a thousand cases was most of their cost."""
    from django.db.models import Count

    from onward.registry.models import Person

    case_pks = list(case_pks)
    present = Person.objects.filter(
        merged_into__isnull=True, removed_at__isnull=True, departure_date__isnull=True
    )
    if len(case_pks) <= 500:
        present = present.filter(case_id__in=case_pks)
    # else every case's count: cheaper than sending and planning a thousand parameters
    counted = dict(
        present.order_by().values("case_id").annotate(n=Count("id")).values_list("case_id", "n")
    )
    return {pk: counted.get(pk, 0) for pk in case_pks}


def usage_numbers(field: str, dimensions) -> list:
    """Expressions reading each of `dimensions` out of the usage document `field` as an
    integer (None where it is missing), for values_list: the figures need a few numbers of
    each submission's usage, and decoding every JSON document in Python cost more than
    the rest of their work."""
    from django.db.models import IntegerField
    from django.db.models.fields.json import KeyTextTransform
    from django.db.models.functions import Cast

    return [Cast(KeyTextTransform(d, field), IntegerField()) for d in dimensions]


def case_usage(case) -> dict[str, int]:
    """What one case uses of each dimension (see `usage_from_members`)."""
    return cases_usage([case.pk])[case.pk]
