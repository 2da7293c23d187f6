"""The composition API (issue 18): a client moves a member, splits a case, links two
cases and undoes, through the same rules as the page; refusals name the field; a case,
change or link outside the caller's reach is a 404 with a `denied` entry."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.composition.models import CaseChange, CaseLink
from onward.registry.models import Person
from onward.relocation.tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(users):
    client = APIClient()
    client.force_authenticate(users[roles.RESETTLEMENT])
    return client


def _post(api, name, body, **kwargs):
    return api.post(reverse(name, kwargs=kwargs), body, format="json")


def test_a_member_moves_then_the_move_is_undone(api, users):
    a, b = make_case(users, size=3), make_case(users, size=1)
    child = a.members.filter(relationship="child").order_by("person_id").first()
    r = _post(
        api,
        "api_composition_move",
        {"person": child.person_id, "target": b.case_id, "relationship": "sibling", "reason": "x"},
        case_id=a.case_id,
    )
    assert r.status_code == 200, r.json()
    assert child.person_id not in [m["person_id"] for m in r.json()["members"]]
    assert Person.objects.get(pk=child.pk).case_id == b.pk
    change = r.json()["changes"][0]
    assert (change["kind"], change["target"], change["persons"]) == (
        "move",
        b.case_id,
        [child.person_id],
    )

    r = _post(
        api,
        "api_composition_undo",
        {"reason": "typed in error"},
        case_id=a.case_id,
        change_id=change["id"],
    )
    assert r.status_code == 200, r.json()
    assert Person.objects.get(pk=child.pk).case_id == a.pk
    assert r.json()["changes"][0]["undo_reason"] == "typed in error"
    reads = AuditEntry.objects.filter(
        action=AuditEntry.Action.VIEW, object_id=a.case_id, detail="composition"
    )
    assert reads.count() == 2  # every answer names members: each is audited


def test_a_split_and_a_link_then_the_link_ends(api, users):
    a, other = make_case(users, size=3), make_case(users, size=1)
    child = a.members.filter(relationship="child").order_by("person_id").first()
    r = _post(
        api,
        "api_composition_split",
        {"persons": [child.person_id], "principal": child.person_id, "reason": "own household"},
        case_id=a.case_id,
    )
    assert r.status_code == 200, r.json()
    new_case = Person.objects.get(pk=child.pk).case
    assert new_case.pk != a.pk and r.json()["changes"][0]["target"] == new_case.case_id

    r = _post(
        api,
        "api_composition_link",
        {"other": other.case_id, "kind": "family_unity", "reason": "cousins"},
        case_id=a.case_id,
    )
    assert r.status_code == 200, r.json()
    link = r.json()["links"][0]
    assert (link["other"], link["kind"], link["ended_at"]) == (other.case_id, "family_unity", None)
    r = _post(
        api, "api_composition_link_end", {"reason": "x"}, case_id=a.case_id, link_id=link["id"]
    )
    assert r.status_code == 200 and r.json()["links"][0]["ended_at"] is not None


def test_refusals_name_the_field_and_change_nothing(api, users):
    a, b = make_case(users, size=2), make_case(users, size=1)
    principal = a.members.get(relationship="principal")
    stranger = b.members.get()
    # The principal may move only with a successor named (the services' rule).
    r = _post(
        api,
        "api_composition_move",
        {
            "person": principal.person_id,
            "target": b.case_id,
            "relationship": "spouse",
            "reason": "x",
        },
        case_id=a.case_id,
    )
    assert r.status_code == 400 and "new_principal" in r.json()["fields"]
    # A person of another case is not a member here.
    r = _post(
        api,
        "api_composition_split",
        {"persons": [stranger.person_id], "principal": stranger.person_id, "reason": "x"},
        case_id=a.case_id,
    )
    assert r.status_code == 400 and stranger.person_id in r.json()["fields"]["persons"][0]
    # No reason: the serializer says so.
    r = _post(
        api, "api_composition_link", {"other": b.case_id, "kind": "dependency"}, case_id=a.case_id
    )
    assert r.status_code == 400 and "reason" in r.json()["fields"]
    assert not CaseChange.objects.exists() and not CaseLink.objects.exists()
    assert Person.objects.get(pk=principal.pk).case_id == a.pk


def test_a_change_of_another_case_is_not_there(api, users):
    a, b, c = (make_case(users, size=2) for _ in range(3))
    r = _post(
        api,
        "api_composition_link",
        {"other": c.case_id, "kind": "dependency", "reason": "x"},
        case_id=b.case_id,
    )
    link_id = r.json()["links"][0]["id"]
    # Ending b–c's link through case a: no such link of a.
    r = _post(api, "api_composition_link_end", {"reason": "x"}, case_id=a.case_id, link_id=link_id)
    assert r.status_code == 404
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.DENIED, object_type="case_link", object_id=str(link_id)
    ).exists()
    assert CaseLink.objects.get(pk=link_id).ended_at is None
    # A target case that does not exist: 404 and denied, nothing moved.
    member = a.members.exclude(relationship="principal").get()
    r = _post(
        api,
        "api_composition_move",
        {"person": member.person_id, "target": "C999999", "relationship": "child", "reason": "x"},
        case_id=a.case_id,
    )
    assert r.status_code == 404
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DENIED, object_id="C999999").exists()
    assert Person.objects.get(pk=member.pk).case_id == a.pk
