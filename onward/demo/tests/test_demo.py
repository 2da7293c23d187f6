"""`onward demo` plays the reference operation: every figure of the scenario is a record."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import models

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_demo_plays_the_reference_operation():
    """One run of the whole demo (a transactional test flushes after itself, so all the
    figures are checked on the same run)."""
    call_command("demo", no_serve=True, verbosity=0)
    check_population_and_logins()
    check_relocation_figures()
    check_movements_figures()
    check_incidents_and_claims()
    check_review_queue()


def check_population_and_logins():
    from onward.accounts.models import User
    from onward.movements.ledger import population_on, registry_present_on
    from onward.registry.models import Person

    assert 3000 <= Person.objects.count() <= 3300
    assert User.objects.filter(username__in=["clerk", "delegation", "auditor"]).count() == 3
    for day in (dt.date(2012, 6, 30), dt.date(2013, 9, 11), dt.date(2013, 12, 31)):
        assert population_on(day) == registry_present_on(day)


def check_relocation_figures():
    from onward.relocation.models import Pledge, Submission

    assert Submission.objects.values("case").distinct().count() == 1400
    albania = Pledge.objects.get(country="ALB")
    assert albania.capacities.get(dimension__code="persons").capacity == 210


def check_movements_figures():
    from onward.movements.models import LedgerEntry, Transfer

    flights = Transfer.objects.filter(pledge__country="ALB", status="confirmed").order_by("date")
    groups = [LedgerEntry.objects.filter(kind="relocated", date=t.date, reversed_by__isnull=True,
                                         person__manifest_lines__transfer=t).count()
              for t in flights]
    assert sum(groups) == 71 and groups[-1] == 27
    left = LedgerEntry.objects.filter(kind="left_own_accord", reversed_by__isnull=True)
    assert left.filter(date__year=2013).count() == 17
    assert left.values("date").annotate(n=models.Count("id")).filter(n=18).exists()


def check_incidents_and_claims():
    from onward.incidents.models import Claim

    assert {52, 53} <= set(Claim.objects.values_list("killed", flat=True))
    assert Claim.objects.filter(killed=34).exists()
    assert Claim.objects.filter(killed=3, incident__occurred_at__date=dt.date(2013, 12, 26))\
        .exists()


def check_review_queue():
    from onward.dedup.models import DuplicatePair

    assert DuplicatePair.objects.filter(status="open").count() >= 20
