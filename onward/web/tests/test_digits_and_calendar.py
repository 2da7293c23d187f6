"""Digits and calendars (issue 22): a user sees figures in the digits they chose and dates
in the Solar Hijri calendar if they chose it, while records, addresses and form values
keep Western digits and ISO dates; what a person types in Eastern Arabic or Persian digits
is read as the same date."""

import datetime as dt
import re

import pytest
from django import forms
from django.test import RequestFactory
from django.urls import reverse

from onward import bounds, numerals
from onward.accounts import roles
from onward.accounts.models import User
from onward.conftest import principal_data
from onward.registry import services as registry
from onward.web.middleware import WesternDigitsMiddleware

PERSIAN = "۰۱۲۳۴۵۶۷۸۹"


def test_digits_are_written_in_each_system_and_read_back_from_any():
    assert numerals.to_digits("1405-09-11 · 12/34", numerals.PERSIAN) == "۱۴۰۵-۰۹-۱۱ · ۱۲/۳۴"
    assert numerals.to_digits("2026", numerals.ARABIC) == "٢٠٢٦"
    assert numerals.to_digits("x1", numerals.LATIN) == "x1"
    assert numerals.to_western("۲۰۲۶-۱۲-۰۲") == "2026-12-02"
    assert numerals.to_western("٢٠٢٦-١٢-٠٢") == "2026-12-02"
    assert numerals.to_western("Zahra ۳") == "Zahra 3"


def test_solar_hijri_dates_through_jdatetime():
    # Nowruz: 1 Farvardin 1392 fell on 21 March 2013.
    assert numerals.solar_hijri(dt.date(2013, 3, 21)) == (1392, 1, 1)
    fa = numerals.Display(numerals.PERSIAN, numerals.SOLAR_HIJRI)
    assert numerals.format_date(dt.date(2026, 12, 2), display=fa) == "۱۴۰۵-۰۹-۱۱"
    assert (
        numerals.format_date(dt.date(2026, 12, 2), long=True, language="fa", display=fa)
        == "۱۱ آذر ۱۴۰۵"
    )
    latin = numerals.Display(numerals.LATIN, numerals.SOLAR_HIJRI)
    assert numerals.format_date(dt.date(2026, 12, 2), long=True, display=latin) == "11 Azar 1405"
    assert numerals.format_date(dt.date(2026, 12, 2)) == "2026-12-02"  # the default


def test_a_typed_date_in_eastern_digits_is_the_same_date():
    assert bounds.parse_date("۲۰۱۳-۰۶-۰۱") == dt.date(2013, 6, 1)
    assert bounds.parse_date("٢٠١٣-٠٦-٠١") == dt.date(2013, 6, 1)


def test_form_values_that_are_dates_reach_the_forms_in_western_digits_and_nothing_else():
    class DateForm(forms.Form):
        on = forms.DateField()
        note = forms.CharField()

    seen = {}

    def view(request):
        seen["get"] = request.GET.get("on")
        seen["form"] = DateForm(request.POST)
        return None

    request = RequestFactory().post(
        "/x/?on=۲۰۱۳-۰۶-۰۱", {"on": "٢٠١٣-٠٦-٠١", "note": "اتاق ۳ · ۱۳۹۲-۰۱-۰۱"}
    )
    WesternDigitsMiddleware(view)(request)
    assert seen["get"] == "2013-06-01"
    form = seen["form"]
    assert form.is_valid(), form.errors
    assert form.cleaned_data["on"] == dt.date(2013, 6, 1)
    assert form.cleaned_data["note"] == "اتاق ۳ · ۱۳۹۲-۰۱-۰۱"  # text keeps its digits


def _cells(html: str) -> list[str]:
    cells = re.findall(r'<td class="num[^"]*"[^>]*>(.*?)</td>', html)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]


@pytest.mark.django_db
def test_the_dashboard_in_persian_digits_shows_the_same_figures(client_for, users, case):
    url = reverse("dashboard") + "?as_of=" + dt.date.today().isoformat()
    client = client_for(roles.DATA_MANAGER)
    western = _cells(client.get(url).content.decode())
    User.objects.filter(pk=users[roles.DATA_MANAGER].pk).update(
        digits=numerals.PERSIAN, language="fa"
    )
    page = client.get(url).content.decode()
    persian = _cells(page)
    assert any(c.isdigit() and c != "0" for c in western)
    assert [numerals.to_western(c) for c in persian] == western
    assert not any(ch in "0123456789" for c in persian for ch in c), "a Western digit is left"
    assert any(ch in PERSIAN for c in persian for ch in c)
    # Addresses keep Western digits and ISO dates.
    for href in re.findall(r'href="([^"]*as_of=[^"]*)"', page):
        assert href.isascii(), href


@pytest.mark.django_db
def test_a_persian_reader_sees_solar_hijri_dates_and_the_records_keep_iso(client_for, users):
    case = registry.case_create(
        actor=users[roles.CLERK], arrival_date=dt.date(2013, 3, 21), principal=principal_data()
    )
    User.objects.filter(pk=users[roles.CLERK].pk).update(
        language="fa", digits=numerals.PERSIAN, calendar=numerals.SOLAR_HIJRI
    )
    client = client_for(roles.CLERK)
    today = dt.date.today()
    y, m, d = numerals.solar_hijri(today)
    page = client.get(reverse("home")).content.decode()
    assert numerals.to_digits(f"{y:04d}-{m:02d}-{d:02d}", numerals.PERSIAN) in page
    assert numerals.to_digits(f"{d} {numerals.MONTHS_FA[m - 1]} {y}", numerals.PERSIAN) in page
    assert f"?on={today.isoformat()}" in page  # the link to the ledger: an ISO date
    cases = client.get(reverse("case_list")).content.decode()
    assert "۱۳۹۲-۰۱-۰۱" in cases  # arrived on Nowruz 1392
    assert "2013-03-21" not in cases
    # The record itself is unchanged: Gregorian, ISO, and so are the exports and the API.
    case.refresh_from_db()
    assert case.arrival_date == dt.date(2013, 3, 21)
    api = client.get(reverse("api_case_detail", args=[case.case_id])).json()
    assert api["arrival_date"] == "2013-03-21"


@pytest.mark.django_db
def test_the_report_date_typed_in_persian_digits_is_the_same_date(client_for, case):
    client = client_for(roles.DATA_MANAGER)
    western = client.get(reverse("dashboard") + "?as_of=2013-06-01")
    persian = client.get(reverse("dashboard") + "?as_of=۲۰۱۳-۰۶-۰۱")
    assert persian.status_code == 200
    assert persian.context["on"] == dt.date(2013, 6, 1)
    assert _cells(persian.content.decode()) == _cells(western.content.decode())
    assert not list(persian.context["messages"])  # no "not a date" warning
    arabic = client.get(reverse("dashboard") + "?as_of=" + numerals.to_digits("2013-06-01", "arab"))
    assert arabic.context["on"] == dt.date(2013, 6, 1)
