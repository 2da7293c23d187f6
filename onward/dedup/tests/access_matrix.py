from django.urls import reverse

from onward.web.tests.matrix import Row, outcome


def world(users) -> dict:
    from onward.accounts import roles
    from onward.conftest import principal_data
    from onward.dedup.models import DuplicatePair, Merge
    from onward.registry import services

    clerk = users[roles.CLERK]
    a = services.case_create(actor=clerk, principal=principal_data()).members.get()
    b = services.case_create(
        actor=clerk, principal=principal_data(given_name="Muhammad")
    ).members.get()
    pair = DuplicatePair.objects.create(
        person_a=a, person_b=b, probability=0.9, weight=5, status="pending"
    )
    merge = Merge.objects.create(pair=pair, survivor=a, merged=b, requested_by=users[roles.ADMIN])
    # A record merged into another of its case (one reviewer suffices): its id leads on.
    from onward.dedup.services import pair_merge

    twin = services.person_add(
        actor=clerk, case=a.case, person=principal_data(given_name="Mohamad", relationship="child")
    )
    done = DuplicatePair.objects.create(person_a=a, person_b=twin, probability=0.9, weight=5)
    pair_merge(actor=users[roles.ADMIN], pair_id=done.pk, survivor_person_id=a.person_id)
    return {"pair": pair.pk, "merge": merge.pk, "merged": twin.person_id}


VIEWERS = dict(DL=403)
REVIEWERS = dict(CL=403, PR=403, RS=403, DL=403, AU=403)

ROWS = [
    Row("dedup_queue", lambda w: reverse("dedup_queue"), outcome(200, **VIEWERS)),
    Row("dedup_run", lambda w: reverse("dedup_run"), outcome(302, **REVIEWERS), method="post"),
    Row("dedup_pair", lambda w: reverse("dedup_pair", args=[w["pair"]]), outcome(200, **VIEWERS)),
    # An invalid decision is refused with a message and a redirect back to the pair.
    Row(
        "dedup_decide",
        lambda w: reverse("dedup_decide", args=[w["pair"]]),
        outcome(302, **REVIEWERS),
        method="post",
        body={"decision": ""},
    ),
    Row(
        "dedup_approve",
        lambda w: reverse("dedup_approve", args=[w["merge"]]),
        outcome(302, **REVIEWERS),
        method="post",
    ),
    Row(
        "dedup_unmerge",
        lambda w: reverse("dedup_unmerge", args=[w["merge"]]),
        outcome(302, **REVIEWERS),
        method="post",
    ),
    # A merged-away id: a redirect to the survivor for whoever may read the registry.
    Row(
        "person_detail",
        lambda w: reverse("person_detail", args=[w["merged"]]),
        outcome(302, DL=403),
    ),
]
