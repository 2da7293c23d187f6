"""A run that places no case says so, with why (no pledge open, the capacities with nothing
left, the criteria that let no case in), and offers nothing to accept."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from onward.accounts import roles
from onward.matching import services
from onward.matching.tests.access_matrix import assessed_case, open_pledge, solved_run
from onward.relocation import services as relocation
from onward.relocation.models import Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client, users):
    client.force_login(users[roles.RESETTLEMENT])
    return client


def _page(officer, run) -> str:
    return officer.get(reverse("match_run", args=[run.pk])).content.decode()


def test_with_no_pledge_open_today_it_says_none_was_open_and_offers_no_accept(officer, users):
    today = timezone.localdate()
    relocation.pledge_create(
        actor=users[roles.RESETTLEMENT],
        data={
            "country": "DEU",
            "name": "Germany 2013",
            "valid_from": "2013-01-01",
            "valid_to": "2013-12-31",
            "capacities": {"persons": 50},
        },
    )
    for _ in range(3):
        assessed_case(users, size=2)
    run = solved_run(users)
    page = _page(officer, run)
    assert run.n_assigned == 0 and run.n_cases == 3
    assert "0 of 3 cases placed: why" in page
    assert f"No pledge was open and valid on {today}" in page
    assert "Nothing placed" in page and "Proposal ready" not in page
    assert 'id="accept-all"' not in page and "Accept proposals for" not in page
    data = officer.get(reverse("api_match_run", args=[run.pk])).json()
    assert data["assigned"] == 0 and data["nothing_placed"][0].startswith("No pledge was open")


def test_with_the_capacity_used_up_it_names_the_binding_capacity(officer, users):
    pledge = open_pledge(users, name="Norway quota", persons=2)
    taken = assessed_case(users, size=2)
    relocation.case_submit(actor=users[roles.RESETTLEMENT], case=taken, pledge=pledge)
    waiting = [assessed_case(users, size=2) for _ in range(2)]
    run = solved_run(users)
    page = _page(officer, run)
    assert run.n_assigned == 0
    assert (
        "Norway quota: 2 of 2 cases within its criteria; no persons left (capacity − "
        "accepted − awaiting decision)."
    ) in page
    assert all(c.case_id in page for c in waiting)  # each listed with its own reason
    assert 'id="accept-all"' not in page


def test_with_criteria_that_let_no_case_in_it_says_how_many_fit(officer, users):
    open_pledge(users, name="Small families only", persons=20, max_case_size=2)
    big = [assessed_case(users, size=4) for _ in range(2)]
    run = solved_run(users)
    page = _page(officer, run)
    assert "Small families only: 0 of 2 cases within its criteria." in page
    assert "2 of 2 cases may go to no pledge at all" in page
    assert "at most 2" in page and big[0].case_id in page


def test_accepting_a_run_that_placed_nothing_is_refused_and_submits_nothing(officer, users):
    for _ in range(2):
        assessed_case(users)
    run = solved_run(users)
    with pytest.raises(ValidationError, match="placed none of its 2 cases"):
        services.run_accept(actor=users[roles.RESETTLEMENT], run=run)
    response = officer.post(reverse("match_accept", args=[run.pk]), {"pledge": "all"})
    assert "placed none of its 2 cases" in response.content.decode()
    assert not Submission.objects.exists()


def test_a_run_that_places_cases_still_offers_accept_all(officer, users):
    open_pledge(users, persons=10)
    assessed_case(users, size=2)
    run = solved_run(users)
    page = _page(officer, run)
    assert run.n_assigned == 1
    assert 'id="accept-all"' in page and 'id="nothing-placed"' not in page
    assert officer.get(reverse("api_match_run", args=[run.pk])).json()["nothing_placed"] is None


def test_the_run_list_marks_a_run_that_placed_nothing(officer, users):
    assessed_case(users)
    solved_run(users)
    page = officer.get(reverse("match_list")).content.decode()
    assert "Nothing placed" in page
