"""A delegation sees only the cases submitted to its country's pledges, only the fields a
submission shares, and every read it makes is audited."""

import pytest
from django.urls import reverse

from onward.accounts import policy, roles
from onward.audit.models import AuditEntry
from onward.registry import services as registry
from onward.relocation.models import State
from onward.relocation.tests.factories import at, bring_to, make_case, pledge

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users):
    alb, deu = pledge(users), pledge(users, country="DEU")
    ours = bring_to(
        users, make_case(users, phone="+964 770 111 2222"), State.SUBMITTED, pledge_=alb
    )
    registry.note_add(
        actor=users[roles.PROTECTION],
        case=ours,
        kind="protection",
        text="CONFIDENTIAL-PROTECTION-NOTE",
    )
    theirs = bring_to(users, make_case(users), State.SUBMITTED, pledge_=deu)
    # Rejected by Germany, then submitted to Albania: Albania must not learn of Germany.
    moved = bring_to(users, make_case(users), State.REJECTED, pledge_=deu)
    from onward.relocation import services

    services.case_resubmit(actor=users[roles.RESETTLEMENT], case=moved, pledge=alb, at=at(9))
    never = make_case(users)
    return {"alb": alb, "deu": deu, "ours": ours, "theirs": theirs, "moved": moved, "never": never}


def test_a_delegation_sees_only_cases_submitted_to_its_country(users, world):
    dl = users[roles.DELEGATION]
    assert set(policy.visible_cases(dl)) == {world["ours"], world["moved"]}
    assert set(policy.visible_pledges(dl)) == {world["alb"]}
    assert {s.pledge.country for s in policy.visible_submissions(dl)} == {"ALB"}
    assert not policy.visible_persons(dl).exists()


def test_the_delegations_case_page_shows_only_shared_fields(client, users, world):
    client.force_login(users[roles.DELEGATION])
    html = client.get(reverse("relocation_case", args=[world["ours"].case_id])).content.decode()
    assert "Mohammad" in html and "Rezaei" in html and "1970-05-12" in html and "IRN" in html
    for secret in ("CONFIDENTIAL-PROTECTION-NOTE", "770 111 2222", "X1234567"):
        assert secret not in html


def test_the_delegations_api_shows_only_shared_fields(client, users, world):
    client.force_login(users[roles.DELEGATION])
    data = client.get(reverse("api_relocation_case", args=[world["moved"].case_id])).json()
    assert set(data) == {"case_id", "size", "members", "submissions"}
    assert set(data["members"][0]) == {
        "person_id",  # what a split decision names (issue 18)
        "given_name",
        "family_name",
        "father_name",
        "relationship",
        "sex",
        "birth_date",
        "nationality",
        "specific_needs",
    }
    assert [s["country"] for s in data["submissions"]] == ["ALB"]  # not Germany's rejection


def test_another_countrys_case_is_404_and_the_attempt_is_audited(client, users, world):
    client.force_login(users[roles.DELEGATION])
    for name in ("relocation_case", "api_relocation_case"):
        response = client.get(reverse(name, args=[world["theirs"].case_id]))
        assert response.status_code == 404
    denied = AuditEntry.objects.filter(
        action="denied", object_id=world["theirs"].case_id, actor=users[roles.DELEGATION]
    )
    assert denied.count() == 2


def test_every_read_of_the_delegation_is_audited(client, users, world):
    client.force_login(users[roles.DELEGATION])
    client.get(reverse("submission_list"))
    client.get(reverse("relocation_case", args=[world["ours"].case_id]))
    client.get(reverse("pledge_detail", args=[world["alb"].pk]))
    client.get(reverse("api_submission_list"))
    reads = AuditEntry.objects.filter(actor=users[roles.DELEGATION], action="view")
    assert set(reads.values_list("object_type", flat=True)) == {"submission_list", "case", "pledge"}
    assert reads.count() == 4


def test_the_delegation_decides_in_the_ui(client, users, world):
    client.force_login(users[roles.DELEGATION])
    sub = world["ours"].submissions.get()
    client.post(reverse("submission_decide", args=[sub.pk]), {"decision": "rejected"})
    sub.refresh_from_db()
    assert sub.decision == ""  # a rejection needs a reason
    client.post(
        reverse("submission_decide", args=[sub.pk]),
        {"decision": "rejected", "reason": "outside our criteria"},
    )
    sub.refresh_from_db()
    assert (sub.decision, sub.reason) == ("rejected", "outside our criteria")


def test_the_delegation_decides_through_the_api(client, users, world):
    client.force_login(users[roles.DELEGATION])
    sub = world["moved"].submissions.get(decision="")
    response = client.post(
        reverse("api_submission_decision", args=[sub.pk]),
        {"decision": "accepted"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["decision"] == "accepted"
    again = client.post(
        reverse("api_submission_decision", args=[sub.pk]),
        {"decision": "rejected", "reason": "x"},
        content_type="application/json",
    )
    assert again.status_code == 409 and "already decided" in str(again.json()["fields"])


def test_the_delegations_funnel_is_its_own_country(client, users, world):
    client.force_login(users[roles.DELEGATION])
    data = client.get(reverse("api_relocation_funnel")).json()
    assert data["funnel"]["submitted"]["cases"] == 2
    assert client.get(reverse("api_relocation_funnel") + "?country=DEU").status_code == 403


def test_the_registry_api_does_not_leak_a_submitted_case_to_the_delegation(client, users, world):
    client.force_login(users[roles.DELEGATION])
    response = client.get(reverse("api_case_detail", args=[world["ours"].case_id]))
    assert response.status_code in (403, 404)
    assert b"document_number" not in response.content and b"phone" not in response.content
