"""A pledge's standing is derived from its status and its dates on the day asked (never a
stored flag that goes stale): past its end it reads closed, and the workflow refuses it
naming the dates; where the choice of pledges is empty the page says why and what would
fix it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from onward.accounts import roles
from onward.relocation import services
from onward.relocation.models import Pledge, State
from onward.relocation.tests.factories import at, bring_to, make_case, pledge

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
D = dt.date.fromisoformat


def _p(**kw) -> Pledge:
    return Pledge(
        country="DEU", name="Germany", valid_from=D("2012-07-01"), valid_to=D("2013-12-31"), **kw
    )


@pytest.mark.parametrize(
    "status, day, code, label",
    [
        ("open", "2013-05-01", "open", "Open"),
        ("open", "2012-06-30", "not_yet_open", "Opens 2012-07-01"),
        ("open", "2014-01-01", "ended", "Closed: ended 2013-12-31"),
        ("open", "2013-12-31", "open", "Open"),  # the last day counts
        ("draft", "2013-05-01", "draft", "Under consideration"),
        ("closed", "2013-05-01", "closed", "Closed"),
    ],
)
def test_the_standing_is_derived_from_the_status_and_the_dates(status, day, code, label):
    standing = _p(status=status).standing_on(D(day))
    assert (standing.code, standing.label) == (code, label)
    assert standing.takes_cases == (code == "open")


def test_an_ended_pledge_names_its_dates():
    reason = _p(status="open").standing_on(D("2014-03-01")).reason
    assert reason == (
        "is closed on 2014-03-01: its validity ended on 2013-12-31 (valid 2012-07-01 to 2013-12-31)"
    )


def test_the_pledge_list_shows_an_ended_pledge_closed_without_anyone_closing_it(client, users):
    ended = pledge(users, country="DEU", name="Germany 2013", valid_to="2013-12-31")
    current = pledge(users, name="Albania now")
    assert Pledge.objects.get(pk=ended.pk).status == "open"  # nothing stored changed
    client.force_login(users[roles.RESETTLEMENT])
    html = client.get(reverse("pledge_list")).content.decode()
    assert "Closed: ended 2013-12-31" in html
    detail = client.get(reverse("pledge_detail", args=[ended.pk])).content.decode()
    assert f"This pledge is closed on {TODAY}: its validity ended on 2013-12-31" in detail
    assert "edit its status or its end date" in detail
    assert (
        "Closed"
        not in client.get(reverse("pledge_detail", args=[current.pk]))
        .content.decode()
        .split("</h1>")[0]
    )


def test_the_api_gives_the_derived_standing(client, users):
    ended = pledge(users, valid_to="2013-12-31")
    client.force_login(users[roles.RESETTLEMENT])
    data = client.get(reverse("api_pledge_detail", args=[ended.pk])).json()
    assert data["status"] == "open"
    assert data["standing"]["code"] == "ended" and not data["standing"]["takes_cases"]
    assert "ended on 2013-12-31" in data["standing"]["reason"]


def test_an_acceptance_after_the_pledges_end_is_refused_naming_the_dates(users):
    ended = pledge(users, valid_to="2013-06-30")
    case = bring_to(users, make_case(users), State.SUBMITTED, pledge_=ended)
    with pytest.raises(ValidationError) as err:
        services.submission_accept(actor=users[roles.ADMIN], case=case)
    assert (
        f"is closed on {TODAY}: its validity ended on 2013-06-30 (valid 2013-01-01 to "
        "2013-06-30); it takes no cases"
    ) in str(err.value)
    # Within its dates (the history), the same pledge accepts.
    services.submission_accept(actor=users[roles.ADMIN], case=case, at=at(20))
    case.relocation.refresh_from_db()
    assert case.relocation.state == State.ACCEPTED


def test_submit_to_a_pledge_with_none_open_says_why_and_links_to_the_pledges(client, users):
    pledge(users, country="DEU", name="Germany 2013", valid_to="2013-12-31")
    bring_to(users, make_case(users), State.ASSESSED)
    client.force_login(users[roles.RESETTLEMENT])
    html = client.get(reverse("relocation_bulk_submit")).content.decode()
    assert (
        f"No pledge is open today ({TODAY}): the last to end, DEU · Germany 2013, ended "
        "on 2013-12-31."
    ) in html
    assert f'href="{reverse("pledge_list")}">Open or extend a pledge' in html
    assert "Submit selected cases" not in html  # no button that would do nothing


def test_a_case_with_no_pledge_open_says_why_where_the_pledge_would_be_chosen(client, users):
    pledge(users, country="DEU", name="Germany 2013", valid_to="2013-12-31")
    case = bring_to(users, make_case(users), State.ASSESSED)
    client.force_login(users[roles.RESETTLEMENT])
    html = client.get(reverse("relocation_case", args=[case.case_id])).content.decode()
    assert "No pledge is open today" in html and "Open or extend a pledge" in html
    assert ">Submit to a pledge</button>" not in html


def test_a_case_every_open_pledge_rejected_is_told_so(client, users):
    only = pledge(users, name="Albania now")
    case = bring_to(users, make_case(users), State.REJECTED, pledge_=only)
    client.force_login(users[roles.RESETTLEMENT])
    html = client.get(reverse("relocation_case", args=[case.case_id])).content.decode()
    assert f"Every pledge open today has already rejected case {case.case_id}" in html


def test_those_who_may_not_manage_pledges_read_a_plain_sentence():
    html = render_to_string(
        "relocation/_no_pledge.html", {"why": "No pledge is open today.", "can_manage": False}
    )
    assert "Someone who manages pledges can open or extend one." in html
    assert "<a " not in html


def test_with_an_open_pledge_the_choice_is_there(client, users):
    pledge(users, name="Albania now")
    bring_to(users, make_case(users), State.ASSESSED)
    client.force_login(users[roles.RESETTLEMENT])
    html = client.get(reverse("relocation_bulk_submit")).content.decode()
    assert "ALB · Albania now" in html and "Submit selected cases" in html
    assert 'id="no-open-pledge"' not in html
