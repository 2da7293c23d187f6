"""The REST API's `kind` belonged to check_exit, removed with issue 19: sending it is a
clear 400 naming it, and nothing moves."""

import pytest
from django.urls import reverse

from onward.accounts import roles
from onward.relocation.models import CaseTransition
from onward.relocation.tests.factories import make_case


@pytest.mark.django_db
def test_kind_is_refused_with_a_message(client, users):
    case = make_case(users, size=1)
    client.force_login(users[roles.RESETTLEMENT])
    before = CaseTransition.objects.count()
    r = client.post(
        reverse("api_relocation_transitions", kwargs={"case_id": case.case_id}),
        {"action": "identify", "kind": "travel_document"},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert "check_exit was removed" in r.json()["fields"]["kind"][0]
    assert CaseTransition.objects.count() == before
    assert "kind" not in client.get("/api/schema/").content.decode().split("TransitionIn")[1][:600]
