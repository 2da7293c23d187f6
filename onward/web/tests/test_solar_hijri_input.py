"""Dates typed in the Solar Hijri calendar (issue 22): accepted from a reader whose
calendar is Solar Hijri, in Western or Persian digits, in the forms and in `?on=`; stored
as Gregorian (ISO) dates; a month or day out of range refused with a message naming it."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from onward import bounds, numerals
from onward.accounts import roles
from onward.registry.models import Case

pytestmark = pytest.mark.django_db


# --- the rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, day",
    [
        ("1405-09-11", dt.date(2026, 12, 2)),
        ("۱۴۰۵-۰۹-۱۱", dt.date(2026, 12, 2)),  # Persian digits
        ("١٤٠٥/٠٩/١١", dt.date(2026, 12, 2)),  # Eastern Arabic digits, slashes
        ("1403-12-30", dt.date(2025, 3, 20)),  # Esfand 30th of a leap year
        ("2026-12-02", dt.date(2026, 12, 2)),  # a year from 1500 is Gregorian
    ],
)
def test_a_solar_hijri_reader_types_either_calendar(text, day):
    assert numerals.read_date(text, solar_hijri=True) == day


@pytest.mark.parametrize(
    "text, says",
    [
        ("1405-13-01", "the month is 1 to 12, not 13"),
        ("1405-09-32", "has days 1 to 30, not 32"),
        ("1405-01-32", "has days 1 to 31, not 32"),
        ("1404-12-30", "has days 1 to 29, not 30"),  # 1404 is no leap year
    ],
)
def test_a_solar_hijri_date_out_of_range_says_which_part(text, says):
    with pytest.raises(ValueError, match=says):
        numerals.read_date(text, solar_hijri=True)


def test_no_year_is_read_in_both_calendars():
    """Below 1500 Solar Hijri, from 1500 Gregorian: the earliest Gregorian date Onward
    accepts is after every Solar Hijri year it reads, the latest before 1500."""
    assert numerals.from_solar_hijri(1499, 12, 29).year < 2200
    assert numerals.from_solar_hijri(1278, 10, 11) <= bounds.BIRTH_EARLIEST
    assert bounds.today() + bounds.PLANNED_HORIZON < numerals.from_solar_hijri(1499, 1, 1)


def test_a_gregorian_reader_keeps_iso_dates():
    with pytest.raises(ValueError, match="before"):
        bounds.parse_date("1405-09-11")


# --- ?on= -------------------------------------------------------------------------------


def test_on_parses_solar_hijri_for_a_solar_hijri_reader():
    with numerals.using(numerals.PERSIAN, numerals.SOLAR_HIJRI):
        assert bounds.parse_date("۱۴۰۵-۰۹-۰۱") == dt.date(2026, 11, 22)
        with pytest.raises(ValueError, match=r"1405-13-01 is not a Solar Hijri date"):
            bounds.parse_date("1405-13-01")
        with pytest.raises(ValueError, match=r"not a date \(YYYY-MM-DD, or a Solar Hijri"):
            bounds.parse_date("yesterday")


@pytest.fixture
def solar_client(client_for, users):
    def login(role):
        user = users[role]
        user.calendar = numerals.SOLAR_HIJRI
        user.save(update_fields=["calendar"])
        return client_for(role)

    return login


def test_the_population_page_reads_on_in_solar_hijri(solar_client):
    client = solar_client(roles.DATA_MANAGER)
    page = client.get(reverse("ledger"), {"on": "۱۴۰۵-۰۹-۰۱"})
    assert page.status_code == 200 and page.context["on"] == dt.date(2026, 11, 22)
    bad = client.get(reverse("ledger"), {"on": "1405-09-32"})
    said = [str(m) for m in get_messages(bad.wsgi_request)]
    assert any("month 9 of 1405 has days 1 to 30, not 32" in m for m in said), said
    assert bad.context["on"] == dt.date.today()


# --- the forms ------------------------------------------------------------------------------


def _register(client, **data):
    return client.post(
        reverse("case_create"),
        {
            "relationship": "principal",
            "given_name": "Zahra",
            "sex": "F",
            "confirm_new": "1",
            **data,
        },
    )


def test_the_registration_form_takes_solar_hijri_dates(solar_client):
    client = solar_client(roles.CLERK)
    form = client.get(reverse("case_create")).content.decode()
    # The browser's picker is Gregorian only: a text box with an example instead.
    assert 'type="text" name="arrival_date"' in form and 'placeholder="' in form
    response = _register(client, arrival_date="۱۴۰۵-۰۹-۰۱", birth_date="1364-02-22")
    assert response.status_code == 302, response.content.decode()[-3000:]
    case = Case.objects.get()
    assert case.arrival_date == dt.date(2026, 11, 22)
    assert case.members.get().birth_date == dt.date(1985, 5, 12)


@pytest.mark.parametrize(
    "field, value, says",
    [
        ("arrival_date", "1405-13-01", "the month is 1 to 12, not 13"),
        ("arrival_date", "1405-09-32", "has days 1 to 30, not 32"),
        ("birth_date", "1364-13-01", "the month is 1 to 12, not 13"),
        ("birth_date", "1364", "spans two Gregorian years"),
    ],
)
def test_a_bad_solar_hijri_date_is_refused_and_nothing_is_saved(solar_client, field, value, says):
    response = _register(solar_client(roles.CLERK), **{field: value})
    assert response.status_code == 200
    assert says in response.content.decode()
    assert not Case.objects.exists()


def test_a_gregorian_reader_keeps_the_date_picker(client_for):
    form = client_for(roles.CLERK).get(reverse("case_create")).content.decode()
    assert 'type="date" name="arrival_date"' in form
