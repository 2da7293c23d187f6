"""The reports' shared fixture: a small operation with two countries' pledges."""

import datetime as dt

import pytest

from onward.accounts import roles
from onward.conftest import principal_data
from onward.registry import services as registry
from onward.relocation.tests.factories import bring_to, pledge


def _arrived_case(users, *, size, nationality, given_name):
    """A case of `size` persons registered as arrived on 5 January 2013, so that the
    population ledger (which the population figures read) counts them from that day."""
    clerk = users[roles.CLERK]
    case = registry.case_create(
        actor=clerk,
        arrival_date=dt.date(2013, 1, 5),
        principal=principal_data(given_name=given_name, specific_needs=[], nationality=nationality),
    )
    for i in range(size - 1):
        registry.person_add(
            actor=clerk,
            case=case,
            person=principal_data(
                given_name=f"Member{i}",
                relationship="child",
                birth_date="2001",
                document_number="",
                specific_needs=[],
                nationality=nationality,
            ),
        )
    return case


@pytest.fixture
def world(users):
    """ALB (the test delegation's country) and FRA pledges, cases at several steps."""
    alb = pledge(users, country="ALB", persons=20)
    fra = pledge(users, country="FRA", persons=30)
    cases = {}
    for name, size, state, p, day in (
        ("a_sub", 2, "submitted", alb, 0),
        ("a_acc", 3, "accepted", alb, 2),
        ("a_dep", 1, "departed", alb, 4),
        ("f_acc", 4, "accepted", fra, 1),
        ("f_rej", 2, "rejected", fra, 3),
        ("idle", 2, "identified", None, 0),
    ):
        case = _arrived_case(
            users,
            size=size,
            given_name=f"Zz{name}",
            nationality="AFG" if name.startswith("f") else "IRN",
        )
        cases[name] = bring_to(users, case, state, pledge_=p, day=day)
    return {"users": users, "alb": alb, "fra": fra, "cases": cases}
