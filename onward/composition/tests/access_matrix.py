from django.urls import reverse

from onward.web.tests.matrix import Row, outcome


def world(users) -> dict:
    from onward.accounts import roles
    from onward.composition import services
    from onward.relocation.tests.factories import make_case

    a, b = make_case(users, size=3), make_case(users, size=1)
    child = list(a.members.filter(relationship="child").order_by("person_id"))
    change = services.person_move(
        actor=users[roles.ADMIN], person=child[0], target=b, relationship="child", reason="x"
    )
    link = services.cases_link(
        actor=users[roles.ADMIN], case=a, other=b, kind="family_unity", reason="x"
    )
    return {
        "case": a.case_id,
        "other": b.case_id,
        "child": child[1].person_id,
        "change": change.pk,
        "link": link.pk,
    }


# Composition is for administrators, data managers and resettlement officers; the other
# staff, the auditor and a delegation are refused.
COMPOSERS = dict(CL=403, PR=403, DL=403, AU=403)


def _url(name, **extra):
    return lambda w: reverse(
        name, kwargs={"case_id": w["case"], **{k: w[v] for k, v in extra.items()}}
    )


ROWS = [
    Row("case_composition", _url("case_composition"), outcome(200, **COMPOSERS)),
    Row(
        "composition_move",
        _url("composition_move"),
        outcome(302, **COMPOSERS),
        method="post",
        body=lambda: _move_body(),
    ),
    Row(
        "composition_split",
        _url("composition_split"),
        outcome(302, **COMPOSERS),
        method="post",
        body=lambda: _split_body(),
    ),
    Row(
        "composition_link",
        _url("composition_link"),
        outcome(400, **COMPOSERS),  # already linked: the form says so
        method="post",
        body=lambda: {"other": _other(), "kind": "dependency", "reason": "x"},
    ),
    Row(
        "composition_undo",
        _url("composition_undo", change_id="change"),
        outcome(302, **COMPOSERS),
        method="post",
        body={"reason": "typed in error"},
    ),
    Row(
        "composition_link_end",
        _url("composition_link_end", link_id="link"),
        outcome(302, **COMPOSERS),
        method="post",
        body={"reason": "x"},
    ),
    # The API: the same roles; the permission is checked before any lookup (403 to a
    # delegation, whatever the id).
    Row("api_composition", _url("api_composition"), outcome(200, anon=403, **COMPOSERS)),
    Row(
        "api_composition_move",
        _url("api_composition_move"),
        outcome(200, anon=403, **COMPOSERS),
        method="post",
        body=lambda: _move_body(),
    ),
    Row(
        "api_composition_split",
        _url("api_composition_split"),
        outcome(200, anon=403, **COMPOSERS),
        method="post",
        body=lambda: _split_body(),
    ),
    Row(
        "api_composition_link",
        _url("api_composition_link"),
        outcome(400, anon=403, **COMPOSERS),  # already linked: the answer says so
        method="post",
        body=lambda: {"other": _other(), "kind": "dependency", "reason": "x"},
    ),
    Row(
        "api_composition_undo",
        _url("api_composition_undo", change_id="change"),
        outcome(200, anon=403, **COMPOSERS),
        method="post",
        body={"reason": "typed in error"},
    ),
    Row(
        "api_composition_link_end",
        _url("api_composition_link_end", link_id="link"),
        outcome(200, anon=403, **COMPOSERS),
        method="post",
        body={"reason": "x"},
    ),
]


def _other() -> str:
    from onward.registry.models import Case

    return Case.objects.order_by("pk").last().case_id


def _child():
    from onward.registry.models import Case

    return Case.objects.order_by("pk").first().members.filter(relationship="child").get()


def _move_body() -> dict:
    return {
        "person": _child().person_id,
        "target": _other(),
        "relationship": "sibling",
        "reason": "lives with his brother",
    }


def _split_body() -> dict:
    child = _child().person_id
    return {"persons": [child], "principal": child, "reason": "own household"}
