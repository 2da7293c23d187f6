"""What the composition page shows of a case: its members, its changes and its links."""

from django.db.models import Q

from onward.composition import rules
from onward.composition.models import CaseChange, CaseLink
from onward.registry.models import Case, Person


def case_composition(case: Case) -> dict:
    changes = list(
        CaseChange.objects.filter(Q(source=case) | Q(target=case))
        .select_related("source", "target", "by", "undone_by")
        .order_by("-at", "-id")
    )
    pks = {int(pk) for change in changes for pk in change.after}
    ids = dict(Person.objects.filter(pk__in=pks).values_list("pk", "person_id"))
    change_rows = [
        {"change": c, "persons": sorted(ids[int(pk)] for pk in c.after)} for c in changes
    ]
    links = list(
        CaseLink.objects.filter(Q(case_a=case) | Q(case_b=case))
        .select_related("case_a", "case_b", "created_by", "ended_by")
        .order_by("ended_at", "-created_at")
    )
    link_rows = [{"link": link, "other": link.other(case)} for link in links]
    return {
        "case": case,
        "members": list(rules.present(case).order_by("person_id")),
        "changes": change_rows,
        "links": link_rows,
    }


def live_links(case: Case) -> list[CaseLink]:
    return [
        link
        for link in CaseLink.objects.filter(
            Q(case_a=case) | Q(case_b=case), ended_at=None
        ).select_related("case_a", "case_b")
    ]
