"""The matching pages and API: a run shows its figures, use per pledge, proposals and
unassigned cases with why; a pair's score is explained term by term; accepting works or
reports every case at fault; the job runs the match."""

import json

import pytest
from django.urls import reverse

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.jobs.models import Job
from onward.matching import services
from onward.matching.models import MatchRun
from onward.matching.tests.access_matrix import assessed_case, open_pledge, solved_run
from onward.relocation import services as relocation
from onward.relocation.models import Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client, users):
    client.force_login(users[roles.RESETTLEMENT])
    return client


def test_starting_a_match_runs_the_job_and_shows_the_proposal(
    officer, users, django_capture_on_commit_callbacks
):
    pledge = open_pledge(users, persons=2, max_case_size=2)
    placed = assessed_case(users, size=2, priority="emergency")
    left = assessed_case(users, size=2)
    too_big = assessed_case(users, size=3)
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(reverse("match_start"), {"time_limit": "10", "gap": "0.0001"})
    run = MatchRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/runs/{run.pk}/")
    assert run.status == MatchRun.Status.DONE and run.job.kind == "match"
    job = Job.objects.get(pk=run.job_id)
    assert job.status == Job.Status.DONE and job.result["assigned"] == 1
    page = officer.get(reverse("match_run", args=[run.pk])).content.decode()
    assert placed.case_id in page and pledge.name in page
    assert "No room left" in page and left.case_id in page
    assert "at most 2" in page and too_big.case_id in page
    assert "2 / 2" in page  # persons used against capacity
    assert AuditEntry.objects.filter(
        action="view", object_type="match_run", object_id=str(run.pk)
    ).exists()


def test_a_pairs_score_is_explained_term_by_term(officer, users):
    pledge = open_pledge(users, country="DEU", needs_served=["SM"])
    case = assessed_case(users, size=1, needs=["SM"], priority="urgent")
    services.case_link_add(actor=users[roles.RESETTLEMENT], case=case, country="DEU", kind="family")
    run = solved_run(users)
    response = officer.get(reverse("match_explain", args=[run.pk, case.case_id, pledge.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    for text in ("Priority", "urgent", "SM +20", "family in DEU", "Time waited"):
        assert text in page
    assert '<th class="num" id="total">100.00</th>' in page  # 50 + 20 + 30 + 0 months
    assert (
        officer.get(reverse("match_explain", args=[run.pk, "C999999", pledge.pk])).status_code
        == 404
    )


def test_locking_on_the_page_then_re_solving_makes_a_child_run(
    officer, users, django_capture_on_commit_callbacks
):
    pledge = open_pledge(users, persons=2)
    first = assessed_case(users, size=2, priority="emergency")
    second = assessed_case(users, size=2)
    run = solved_run(users)
    officer.post(
        reverse("match_pin", args=[run.pk]),
        {"case": second.case_id, "pledge": pledge.pk, "kind": "lock"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(reverse("match_resolve", args=[run.pk]))
    child = MatchRun.objects.get(parent=run)
    assert response["Location"].endswith(f"/runs/{child.pk}/")
    plan = child.result_data()["assignment"]
    inputs = child.inputs_data()
    by_id = {c["case_id"]: i for i, c in enumerate(inputs["cases"])}
    assert plan[by_id[second.case_id]] == 0 and plan[by_id[first.case_id]] == -1
    assert "Locked here." in officer.get(reverse("match_run", args=[child.pk])).content.decode()


def test_accepting_on_the_page_reports_every_case_that_cannot_go(officer, users):
    open_pledge(users, persons=4)
    cases = [assessed_case(users, size=2) for _ in range(2)]
    run = solved_run(users)
    relocation.case_hold(actor=users[roles.RESETTLEMENT], case=cases[0], reason="review")
    response = officer.post(reverse("match_accept", args=[run.pk]), {"pledge": "all"})
    page = response.content.decode()
    assert response.status_code == 200 and "Nothing was submitted" in page
    assert cases[0].case_id in page and not Submission.objects.exists()


def test_the_api_starts_reads_and_accepts_a_run(client, users):
    client.force_login(users[roles.ADMIN])
    pledge = open_pledge(users, persons=4)
    cases = [assessed_case(users, size=2) for _ in range(2)]
    response = client.post(
        reverse("api_match_runs"), json.dumps({"time_limit": 5}), content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["status"] == "queued"
    run = MatchRun.objects.get(pk=response.json()["id"])
    services.run_execute(run=run)
    body = client.get(reverse("api_match_run", args=[run.pk])).json()
    assert body["status"] == "done" and body["assigned"] == 2
    assert body["pledge_proposals"][0]["dims"][0] == {
        "dim": "persons",
        "capacity": 4,
        "used": 4,
        "left": 0,
        "percent": 100,
    }
    response = client.post(
        reverse("api_match_accept", args=[run.pk]),
        json.dumps({"pledges": [pledge.pk]}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert sorted(response.json()["submitted"][str(pledge.pk)]) == sorted(c.case_id for c in cases)
    again = client.post(
        reverse("api_match_accept", args=[run.pk]),
        json.dumps({"pledges": [pledge.pk]}),
        content_type="application/json",
    )
    assert again.status_code == 409 and f"pledge {pledge.pk}" in again.json()["fields"]


def test_the_api_refuses_a_bad_start_with_the_field_named(client, users):
    client.force_login(users[roles.RESETTLEMENT])
    response = client.post(
        reverse("api_match_runs"), json.dumps({"time_limit": 0}), content_type="application/json"
    )
    assert response.status_code == 400 and "time_limit" in response.json()["fields"]


def test_the_api_re_solves_with_locks(client, users):
    client.force_login(users[roles.RESETTLEMENT])
    pledge = open_pledge(users, persons=2)
    assessed_case(users, size=2, priority="emergency")
    second = assessed_case(users, size=2)
    run = solved_run(users)
    response = client.post(
        reverse("api_match_resolve", args=[run.pk]),
        json.dumps({"locks": [{"case_id": second.case_id, "pledge_id": pledge.pk}]}),
        content_type="application/json",
    )
    assert response.status_code == 201
    child = MatchRun.objects.get(pk=response.json()["id"])
    assert list(child.pins.values_list("kind", flat=True)) == ["lock"]


def test_a_policy_is_edited_into_a_new_version_on_its_page(officer, users):
    run = solved_run(users)
    policy = run.policy
    form = officer.get(reverse("policy_edit", args=[policy.pk])).content.decode()
    assert 'name="w_family_link"' in form
    data = {
        "version": policy.version,
        "note": "family counts more",
        "w_priority_emergency": 100,
        "w_priority_urgent": 50,
        "w_priority_normal": 10,
        "w_family_link": 60,
        "w_preference": 15,
        "w_per_month_waited": 1,
        "w_max_months": 36,
        "w_predicted_outcome": 0,
        "w_need_SM": 20,
    }
    response = officer.post(reverse("policy_edit", args=[policy.pk]), data)
    new = policy.next_version
    assert response.status_code == 302 and new.weights["family_link"] == 60
    assert new.weights["need_served"] == {"SM": 20}
    page = officer.get(reverse("policy_detail", args=[new.pk])).content.decode()
    assert "v2" in page and "family counts more" in page


def test_family_links_are_recorded_and_ended_on_their_page(officer, users):
    case = assessed_case(users)
    officer.post(
        reverse("country_link_list"), {"case_id": case.case_id, "country": "deu", "kind": "family"}
    )
    link = case.country_links.get()
    assert link.country == "DEU"
    assert case.case_id in officer.get(reverse("country_link_list")).content.decode()
    officer.post(reverse("country_link_end", args=[link.pk]))
    link.refresh_from_db()
    assert link.ended_at is not None
