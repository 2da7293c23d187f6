"""In a real headless Chromium, in Persian (issue 22): a clerk whose calendar is Solar
Hijri registers a woman with her arrival date typed in the Solar Hijri calendar in Persian
digits and her names in Arabic script, and finds her again by typing her family name in
Latin letters, which her record holds only in Arabic script."""

import datetime as dt

import pytest

from onward.accounts import roles
from onward.registry.models import Case, Person
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_persian_clerk_types_a_solar_hijri_date_and_finds_the_arabic_script_name(
    browser_page, live_server, users
):
    page, base = browser_page, live_server.url
    clerk = users[roles.CLERK]
    clerk.language, clerk.calendar, clerk.digits = "fa", "persian", "arabext"
    clerk.save(update_fields=["language", "calendar", "digits"])
    login(page, base, clerk.username)

    page.goto(f"{base}/cases/new/")
    assert page.get_attribute("html", "dir") == "rtl"
    # The Gregorian-only picker is a text box here, with a Solar Hijri example.
    assert page.get_attribute("#id_arrival_date", "type") == "text"
    assert page.get_attribute("#id_arrival_date", "placeholder") == "۱۴۰۵-۰۹-۱۱"
    page.fill("#id_arrival_date", "۱۴۰۵-۰۹-۰۱")
    page.fill("#id_given_name", "Zahra")
    page.fill("#id_given_name_arabic", "زهرا")
    page.fill("#id_family_name_arabic", "غفارزاده")
    page.select_option("#id_sex", "F")
    page.fill("#id_birth_date", "۱۳۶۹-۱۰-۲۵")
    shot(page, "two-scripts-01-form-filled-fa")
    page.click("main form.card button[type=submit]")
    page.wait_for_selector(".messages .success")
    shot(page, "two-scripts-02-case-saved-fa")

    person = Person.objects.get(given_name="Zahra")
    assert Case.objects.get().arrival_date == dt.date(2026, 11, 22)  # kept as ISO
    assert person.birth_date == dt.date(1991, 1, 15)
    assert (person.given_name_arabic, person.family_name_arabic) == ("زهرا", "غفارزاده")

    page.goto(f"{base}/persons/")
    page.fill("input[name=q]", "Zahra Ghaffarzadeh")
    page.press("input[name=q]", "Enter")
    page.wait_for_url(lambda url: "q=" in url)
    shot(page, "two-scripts-03-found-by-latin-name-fa")
    rows = page.locator("main table tbody tr")
    assert rows.count() == 1
    assert person.person_id in rows.first.inner_text()
    assert rows.first.locator('bdi[dir="rtl"]').inner_text().strip() == "زهرا غفارزاده"

    page.click(f"main table tbody tr >> text={person.person_id}")
    page.wait_for_url(f"**/persons/{person.person_id}/")
    heading = page.locator("h1 bdi[dir=rtl]")
    assert heading.inner_text() == "زهرا غفارزاده"
    shot(page, "two-scripts-04-person-page-fa")
