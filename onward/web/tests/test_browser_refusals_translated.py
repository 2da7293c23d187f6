"""A refusal reaches an Arabic or Persian reader in their language, in a real headless
Chromium (issue 22): a clerk who chose Persian (or Arabic) with the sign-in page's switch
types a birth date in the future on a person's form; the form says so next to the field in
that language, with the date as typed, and nothing is saved."""

import pytest

from onward.accounts import roles
from onward.registry.models import Person
from onward.relocation.tests.factories import make_case
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAID = {"fa": "'2999-01-01' در آینده است.", "ar": "'2999-01-01' تاريخ في المستقبل."}


@pytest.mark.parametrize("language", ["fa", "ar"])
def test_a_refused_birth_date_is_explained_in_the_readers_language(
    browser_page, live_server, users, language
):
    page, base = browser_page, live_server.url
    person = make_case(users).members.get(relationship="principal")
    born = person.birth_date
    page.goto(f"{base}/login/")
    with page.expect_navigation():
        page.select_option("#language-switch", language)
    login(page, base, users[roles.CLERK].username)
    page.goto(f"{base}/persons/{person.person_id}/edit/")
    assert page.get_attribute("html", "dir") == "rtl"
    page.fill("#id_birth_date", "2999-01-01")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    text = page.inner_text("main")
    shot(page, f"refusal-birth-date-{language}")
    assert SAID[language] in text
    assert "is in the future" not in text
    person = Person.objects.get(pk=person.pk)
    assert person.birth_date == born
