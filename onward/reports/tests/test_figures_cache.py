"""The dashboard keeps its figures between requests until a record changes
(reports/figures_cache.py). Over committed transactions (the test settings switch the
cache off, since a test's own transaction never commits)."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onward.accounts import roles
from onward.accounts.models import User
from onward.registry import services as registry
from onward.relocation.tests.factories import bring_to, make_case, pledge
from onward.reports import figures_cache

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.ONWARD_FIGURES_CACHE_SECONDS = 60
    figures_cache.clear()
    yield
    figures_cache.clear()


def _dashboard(client, on: dt.date):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard"), {"as_of": on.isoformat()})
    assert response.status_code == 200
    return response, len(queries.captured_queries)


def _population(response) -> int:
    """The population on the page's date: the last point of its series."""
    for section in response.context["sections"]:
        for item in section["tables"]:
            if item["t"].key == "population_series":
                return item["t"].rows[-1].values[0]
    raise AssertionError("no population table")


def test_a_second_request_reads_no_figure_and_a_write_recomputes(users, client_for):
    make_case(users, size=3)
    today = dt.date.today()
    client = client_for(roles.DATA_MANAGER)
    first, computed = _dashboard(client, today)
    again, kept = _dashboard(client, today)
    assert kept < computed - 5, (computed, kept)
    assert _population(again) == _population(first) == 3

    make_case(users, size=2)  # committed: the counter moves on
    after, recomputed = _dashboard(client, today)
    assert recomputed > kept + 5
    assert _population(after) == 5


def test_reading_records_keeps_the_figures(users, client_for):
    case = make_case(users, size=2)
    today = dt.date.today()
    client = client_for(roles.DATA_MANAGER)
    _dashboard(client, today)
    person = case.members.first()
    assert client.get(reverse("person_detail", args=[person.person_id])).status_code == 200
    _, kept = _dashboard(client, today)
    assert kept <= 8


def test_a_rolled_back_write_keeps_them_and_the_next_commit_retires_them(users, client_for):
    make_case(users, size=2)
    today = dt.date.today()
    client = client_for(roles.DATA_MANAGER)
    _dashboard(client, today)
    before = figures_cache.generation()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_case(users, size=4)
        raise RuntimeError("undo")
    assert figures_cache.generation() == before
    response, _ = _dashboard(client, today)
    assert _population(response) == 2
    with transaction.atomic():  # two writes in one transaction: one bump
        make_case(users, size=1)
        make_case(users, size=1)
    assert figures_cache.generation() == before + 1
    response, _ = _dashboard(client, today)
    assert _population(response) == 4


def test_each_delegation_has_its_own_figures(users, client_for, client):
    for country in ("ALB", "FRA"):
        p = pledge(users, country=country, persons=20)
        for _ in range(2 if country == "ALB" else 1):
            bring_to(users, make_case(users, size=2), "submitted", pledge_=p, day=1)
    french = User.objects.create_user(
        username="delegation-fra", password="pw-for-tests-123", role=roles.DELEGATION, country="FRA"
    )
    today = dt.date.today()
    albanian, _ = _dashboard(client_for(roles.DELEGATION), today)
    client.logout()
    client.force_login(french)
    france, computed = _dashboard(client, today)
    assert computed > 10  # computed for France, not Albania's kept tables
    codes = {r.code for s in france.context["sections"] for t in s["tables"] for r in t["t"].rows}
    assert "ALB" not in codes
    assert albanian.context["sections"] != france.context["sections"]


def test_figures_are_recomputed_after_the_time_limit(users, client_for, monkeypatch):
    make_case(users, size=2)
    today = dt.date.today()
    client = client_for(roles.DATA_MANAGER)
    _dashboard(client, today)
    _, kept = _dashboard(client, today)
    start = figures_cache.time.monotonic()
    monkeypatch.setattr(figures_cache.time, "monotonic", lambda: start + 61)
    _, again = _dashboard(client, today)
    assert again > kept + 5


def test_the_page_says_when_its_figures_were_computed(users, client_for):
    client = client_for(roles.DATA_MANAGER)
    response, _ = _dashboard(client, dt.date.today())
    assert b'id="computed-at"' in response.content


def test_a_registration_outside_a_request_moves_the_counter(users):
    before = figures_cache.generation()
    registry.case_create(
        actor=users[roles.CLERK],
        principal={
            "given_name": "Zahra",
            "family_name": "Karimi",
            "sex": "F",
            "birth_date": "1990",
            "nationality": "IRN",
            "arrival_date": "2020-01-01",
        },
    )
    assert figures_cache.generation() == before + 1
