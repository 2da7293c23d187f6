"""The dashboard's cost does not grow with the number of pledges and countries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onward.accounts import roles
from onward.relocation.tests.factories import bring_to, make_case, pledge
from onward.reports import figures as F

pytestmark = pytest.mark.django_db


def _queries(user, on) -> int:
    with CaptureQueriesContext(connection) as queries:
        F.dashboard(user, on)
    return len(queries.captured_queries)


def _pledge_with_a_case(users, country, state):
    p = pledge(users, country=country, persons=20)
    bring_to(users, make_case(users, size=2), state, pledge_=p, day=1)


def test_the_dashboard_reads_relocation_once_whatever_the_pledges(users):
    """It read the transitions once per country and per pledge (103 queries for the
    demo's 7 pledges, 2.2-3 s on a busy machine): now once for all of them."""
    dm = users[roles.DATA_MANAGER]
    on = dt.date.today()
    for country, state in (("ALB", "accepted"), ("FRA", "submitted")):
        _pledge_with_a_case(users, country, state)
    few = _queries(dm, on)
    for country, state in (
        ("DEU", "accepted"),
        ("NOR", "rejected"),
        ("ALB", "departed"),
        ("FRA", "accepted"),
    ):
        _pledge_with_a_case(users, country, state)
    assert _queries(dm, on) == few
    funnel = next(t for t in F.dashboard(dm, on) if t.key == "funnel_cases")
    assert len(funnel.rows) == 1 + 4 + 6  # the operation, 4 countries, 6 pledges
