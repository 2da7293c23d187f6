"""Departures reported at a place Onward does not register person by person (the origin
camp before the move): kept with their source, read in the reports, never in the ledger."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.movements import services
from onward.movements.ledger import population_on
from onward.movements.models import LedgerEntry, ReportedDeparture
from onward.movements.selectors import reported_departures, reported_total
from onward.movements.tests.factories import family

pytestmark = pytest.mark.django_db
ORIGIN = "Origin camp (Camp Ashraf)"


def _report(officer, **data):
    return services.reported_departure_record(
        actor=officer,
        data={
            "place": ORIGIN,
            "persons": 4,
            "left_on": "2013-07-01",
            "source": "News reports",
            "stated_on": "2013-07-01",
            **data,
        },
    )


@pytest.fixture
def officer(users):
    return users[roles.PROTECTION]


def test_a_report_is_kept_with_its_source_and_never_enters_the_ledger(officer, clerk):
    family(clerk)
    before = (LedgerEntry.objects.count(), population_on(dt.date(2013, 7, 1)))
    report = _report(officer, official=True, summary="went to the Iraqi forces")
    assert (LedgerEntry.objects.count(), population_on(dt.date(2013, 7, 1))) == before
    assert (report.persons, report.source, report.official) == (4, "News reports", True)
    assert AuditEntry.objects.filter(
        object_type="reported_departure", object_id=str(report.pk), action="create"
    ).exists()


def test_the_total_is_the_latest_total_to_date_plus_the_periods_after_it(officer):
    _report(officer, left_on="2013-04-01", left_on_precision="M")
    _report(officer)
    assert reported_total(reported_departures()) == 8  # no total stated: the periods
    _report(officer, persons=58, cumulative=True, source="Defence Ministry")
    assert reported_total(reported_departures()) == 58  # the periods are in the total
    _report(officer, persons=3, left_on="2013-08-01", stated_on="2013-08-02")
    assert reported_total(reported_departures()) == 61
    assert reported_total(reported_departures(on=dt.date(2013, 7, 31))) == 58
    assert reported_total(reported_departures(on=dt.date(2013, 6, 30))) is None


@pytest.mark.parametrize(
    "data, field",
    [
        ({"place": " "}, "place"),
        ({"source": ""}, "source"),
        ({"persons": "0"}, "persons"),
        ({"persons": "many"}, "persons"),
        ({"left_on": "2013-02-30"}, "left_on"),
        ({"stated_on": "2013-06-01"}, "stated_on"),
        ({"kind": "relocated"}, "kind"),
        (
            {
                "left_on": str(timezone.localdate() + dt.timedelta(days=1)),
                "stated_on": str(timezone.localdate() + dt.timedelta(days=1)),
            },
            "left_on",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_records_nothing(officer, data, field):
    with pytest.raises(ValidationError) as err:
        _report(officer, **data)
    assert field in err.value.message_dict
    assert not ReportedDeparture.objects.exists()


def test_a_clerk_may_not_record_one(clerk):
    with pytest.raises(PermissionDenied):
        _report(clerk)


def test_the_page_records_one_and_the_population_page_lists_it(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("reported_departure_create"),
        {
            "place": ORIGIN,
            "kind": "left_own_accord",
            "persons": "58",
            "cumulative": "on",
            "left_on": "2013-07-01",
            "left_on_precision": "D",
            "source": "Defence Ministry",
            "official": "on",
            "stated_on": "2013-07-01",
        },
    )
    assert response.status_code == 302
    html = client.get(reverse("ledger"), {"on": "2013-07-01"}).content.decode()
    assert "Departures reported at other places (not in the ledger)" in html
    assert "58 in all by this date" in html and "Defence Ministry" in html
    bad = client.post(reverse("reported_departure_create"), {"place": ORIGIN, "persons": "x"})
    assert bad.status_code == 200 and ReportedDeparture.objects.count() == 1


def test_the_reports_show_the_reports_and_their_total(officer, users):
    from onward.reports import figures

    _report(officer, left_on="2013-04-01", left_on_precision="M")
    _report(officer, persons=58, cumulative=True, source="Defence Ministry")
    table = next(
        t
        for t in figures.dashboard(users[roles.ADMIN], dt.date(2013, 7, 1), only="departures")
        if t.key == "departures_reported"
    )
    rows = {r.label: r.values[0] for r in table.rows}
    assert rows == {
        f"{ORIGIN} · News reports, stated 2013-07-01 · left 2013-04": 4,
        f"{ORIGIN} · Defence Ministry, stated 2013-07-01 · total to 2013-07-01": 58,
        "In all, by the sources": 58,
    }
    assert "they are in none of its population figures" in table.note
