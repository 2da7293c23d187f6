"""Retention over the played reference operation (`onward demo`): its departures of 2013
and 2014 are past the default rules, so a run anonymises hundreds of persons, and every
report of every month, the ledger's reconciliation and the demo's own figures stay."""

import io

import pytest
from django.core.management import call_command

from onward.accounts.models import User
from onward.movements.reconcile import reconcile
from onward.registry.models import Person
from onward.retention.tests.test_retention import every_report

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_run_over_the_demo_keeps_every_report_of_every_month():
    call_command("demo", no_serve=True, verbosity=0)
    manager = User.objects.get(username="datamanager")
    before = every_report(manager)
    out = io.StringIO()
    call_command("retention", "--counts-only", stdout=out)
    anonymised = Person.objects.filter(anonymised_at__isnull=False).count()
    assert anonymised > 300, out.getvalue()
    assert every_report(manager) == before
    report = reconcile()
    assert report.ok, report.lines()
    call_command("retention", stdout=out)
    assert Person.objects.filter(anonymised_at__isnull=False).count() == anonymised
