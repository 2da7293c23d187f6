import datetime as dt

import pytest

from onward.conftest import principal_data
from onward.movements.ledger import population_on, registry_present_on
from onward.movements.models import LedgerEntry
from onward.registry import services

pytestmark = pytest.mark.django_db


def test_registering_a_case_adds_each_person_to_the_ledger_on_their_arrival(clerk):
    day = dt.date(2012, 2, 18)
    case = services.case_create(actor=clerk, principal=principal_data(), arrival_date=day)
    services.person_add(
        actor=clerk,
        case=case,
        person=principal_data(given_name="Zahra", sex="F", relationship="spouse"),
    )
    assert LedgerEntry.objects.filter(kind="arrival", date=day).count() == 2
    for d in (day - dt.timedelta(days=1), day, dt.date.today()):
        assert population_on(d) == registry_present_on(d)
    assert population_on(day) == 2 and population_on(day - dt.timedelta(days=1)) == 0


def test_an_unknown_arrival_date_means_the_day_of_registration(clerk):
    case = services.case_create(actor=clerk, principal=principal_data())
    assert case.members.get().arrival_date == dt.date.today()
    assert population_on(dt.date.today()) == 1


def test_ledger_entries_are_never_changed(clerk):
    services.case_create(actor=clerk, principal=principal_data())
    entry = LedgerEntry.objects.get()
    entry.note = "rewritten"
    with pytest.raises(ValueError):
        entry.save()
