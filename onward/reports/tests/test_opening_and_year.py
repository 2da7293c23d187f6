"""The Reports page opens on the operation's reference date when one is configured (the
demo's), today otherwise, with today one click away; departures since 1 January are a
figure of their own (sources say "since the beginning of the year")."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from onward.accounts import roles
from onward.env import env_date
from onward.movements import services as movements
from onward.movements.tests.factories import family
from onward.reports import figures

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
REFERENCE = dt.date(2014, 2, 28)


@pytest.fixture
def admin(client, users):
    client.force_login(users[roles.ADMIN])
    return client


def test_with_a_reference_date_the_page_opens_there_and_today_is_one_click_away(admin):
    with override_settings(ONWARD_REPORTS_AS_OF=REFERENCE):
        html = admin.get(reverse("dashboard")).content.decode()
        assert "true for 2014-02-28" in html and 'id="opened-on"' in html
        assert f'id="report-today" href="?as_of={TODAY}' in html
        asked = admin.get(reverse("dashboard"), {"as_of": str(TODAY)}).content.decode()
    assert f"true for {TODAY}" in asked and 'id="opened-on"' not in asked


def test_without_one_or_with_one_in_the_future_it_opens_today(admin):
    assert f"true for {TODAY}" in admin.get(reverse("dashboard")).content.decode()
    with override_settings(ONWARD_REPORTS_AS_OF=TODAY + dt.timedelta(days=3)):
        assert f"true for {TODAY}" in admin.get(reverse("dashboard")).content.decode()


def test_the_setting_refuses_what_is_not_a_date(monkeypatch):
    monkeypatch.setenv("ONWARD_REPORTS_AS_OF", "28/02/2014")
    with pytest.raises(ImproperlyConfigured, match="ONWARD_REPORTS_AS_OF"):
        env_date("ONWARD_REPORTS_AS_OF")
    monkeypatch.setenv("ONWARD_REPORTS_AS_OF", "2014-02-28")
    assert env_date("ONWARD_REPORTS_AS_OF") == REFERENCE


def test_departures_since_1_january_count_this_years_only(users, clerk, admin):
    officer = users[roles.PROTECTION]
    for day in ("2012-12-30", "2013-01-14", "2013-11-02"):
        _, man, _ = family(clerk, arrival=dt.date(2012, 6, 1), given_name=f"Left{day}")
        movements.departure_record(actor=officer, person=man, kind="left_own_accord", on=day)
    table = next(
        t
        for t in figures.dashboard(users[roles.ADMIN], dt.date(2013, 12, 31), only="departures")
        if t.key == "departures_year_to_date"
    )
    assert table.title == "Departures by type since 2013-01-01"
    row = next(r for r in table.rows if r.label == "Left on own accord")
    assert row.values == [2] and row.traces[0]["since"] == "2013-01-01"
    assert table.total == 2
    listed = admin.get(
        reverse("report_records"),
        {
            "figure": "departures",
            "kind": "left_own_accord",
            "since": "2013-01-01",
            "as_of": "2013-12-31",
        },
    )
    assert listed.context["page"].paginator.count == 2
