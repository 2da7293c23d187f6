"""The readiness tests' shared world (the matrix page's and the API's tests)."""

import datetime as dt

import pytest

from onward.readiness.models import Fact, Requirement
from onward.relocation.models import State
from onward.relocation.tests.factories import bring_to, make_case, pledge

D = dt.date(2026, 12, 1)


@pytest.fixture
def world(users):
    """The matrix tests' world: an Albanian family of two (visa, fitness to travel 72 h,
    orientation per case), a German single (biometrics)."""
    alb, deu = pledge(users), pledge(users, country="DEU")
    family = bring_to(
        users, make_case(users, size=2), State.ACCEPTED, pledge_=alb, exit_checks=False
    )
    single = bring_to(
        users, make_case(users, size=1), State.ACCEPTED, pledge_=deu, exit_checks=False
    )
    Requirement.objects.create(country="ALB", kind="visa", delegation_confirms=True)
    Requirement.objects.create(country="ALB", kind="orientation", per_case=True)
    Requirement.objects.create(country="ALB", kind="fit_to_travel", valid_hours_before_departure=72)
    Requirement.objects.create(
        country="ALB", kind="biometrics", waivable=True, waiver_permission="readiness.waive"
    )
    Requirement.objects.create(country="DEU", kind="biometrics")
    a, b = family.members.order_by("person_id")
    (c,) = single.members.all()
    for p in (a, b):
        Fact.objects.create(
            person=p, kind="visa", status="passed", on=D, valid_until=D + dt.timedelta(days=10)
        )
        Fact.objects.create(person=p, kind="fit_to_travel", status="passed", on=D)
        Fact.objects.create(person=p, kind="biometrics", status="passed", on=D)
    Fact.objects.create(person=a, kind="orientation", status="passed", on=D)  # for the case
    Fact.objects.create(person=c, kind="biometrics", status="passed", on=D)
    return {"alb": alb, "deu": deu, "a": a, "b": b, "c": c, "family": family, "single": single}
