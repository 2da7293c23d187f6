"""The field office's pages: a delegation lands on its pledges and the cases waiting for
its decision; long lists come a page at a time with their counts; codes have a legend."""

import re

import pytest
from django.urls import reverse

from onward.accounts import roles
from onward.relocation import views
from onward.relocation.models import State
from onward.relocation.tests.factories import bring_to, make_case, pledge

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users):
    alb, deu = pledge(users), pledge(users, country="DEU")
    first = bring_to(users, make_case(users), State.SUBMITTED, pledge_=alb)
    second = bring_to(users, make_case(users), State.SUBMITTED, pledge_=alb)
    theirs = bring_to(users, make_case(users), State.SUBMITTED, pledge_=deu)
    return {"alb": alb, "deu": deu, "first": first, "second": second, "theirs": theirs}


def test_a_delegation_lands_on_its_pledges_and_the_cases_waiting_for_it(client, users, world):
    client.force_login(users[roles.DELEGATION])
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("delegation_home")
    html = client.get(response["Location"]).content.decode()
    pledges = html.split('id="our-pledges"')[1].split("</table>")[0]
    assert world["alb"].name in pledges and world["deu"].name not in pledges
    waiting = html.split('id="waiting"')[1].split("</table>")[0]
    assert world["first"].case_id in waiting and world["second"].case_id in waiting
    assert world["theirs"].case_id not in html
    assert re.search(r'id="awaiting-count">2<', html)
    assert "Legal and/or physical protection needs" in html  # the categories' legend


def test_the_submissions_come_a_page_at_a_time_with_their_counts(client, users, world, monkeypatch):
    monkeypatch.setattr(views, "SUBMISSIONS_PAGE", 1)
    client.force_login(users[roles.DELEGATION])
    html = client.get(reverse("submission_list"), {"decision": "pending"}).content.decode()
    assert "2 submissions: 2 awaiting a decision, 0 accepted" in html
    assert "Page 1 of 2 · 2 in all" in html
    assert "?decision=pending&page=2" in html  # the filter is kept from page to page
    rows = html.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<tr") == 1


def test_a_list_showing_need_codes_says_what_they_mean(client, users, case):
    client.force_login(users[roles.CLERK])
    html = client.get(reverse("person_list")).content.decode()
    legend = html.split('class="legend"')[1].split("</details>")[0]
    assert "<dt>DS</dt><dd>Disability</dd>" in legend
    assert "<dt>TR</dt>" in legend and "<dt>PA</dt>" in legend


def test_the_menu_folds_behind_a_toggle_without_script(client, users):
    client.force_login(users[roles.CLERK])
    html = client.get(reverse("person_list")).content.decode()
    assert '<input type="checkbox" id="menu-toggle"' in html
    assert '<label for="menu-toggle" class="menu-button">Menu</label>' in html
