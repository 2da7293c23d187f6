"""In headless Chromium, as a resettlement officer: from the case page to its composition,
split off an adult son's household, link it back as family unity, undo a move."""

import pytest

from onward.accounts import roles
from onward.registry.models import Case, Person
from onward.relocation.tests.factories import make_case
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_split_link_and_undo_through_the_pages(browser_page, live_server, users):
    page, base = browser_page, live_server.url
    family, other = make_case(users, size=3), make_case(users, size=1)
    son = family.members.filter(relationship="child").order_by("person_id").first()
    login(page, base, users[roles.RESETTLEMENT].username)
    page.goto(f"{base}/cases/{family.case_id}/")
    page.click("text=Move, split or link")
    assert family.case_id in page.inner_text("h1")
    # Split: the son forms his own case, as its principal applicant.
    split = page.locator("form", has=page.locator("button", has_text="Split"))
    split.locator(f"input[value='{son.person_id}']").check()
    split.locator("select[name=principal]").select_option(son.person_id)
    split.locator("input[name=reason]").fill("adult son's own household")
    split.locator("button", has_text="Split").click()
    assert "Split off case" in page.inner_text(".messages")
    new = Case.objects.exclude(pk__in=[family.pk, other.pk]).get()
    assert Person.objects.get(pk=son.pk).case_id == new.pk
    assert Person.objects.get(pk=son.pk).relationship == "principal"
    # Link the new case back to the family.
    link = page.locator("form", has=page.locator("button", has_text="Link"))
    link.locator("input[name=other]").fill(new.case_id)
    link.locator("select[name=kind]").select_option("family_unity")
    link.locator("input[name=reason]").fill("father and adult son")
    link.locator("button", has_text="Link").click()
    assert new.case_id in page.inner_text("table >> nth=1")
    # A move to a case that does not exist is refused on the form.
    move = page.locator("form", has=page.locator("button", has_text="Move"))
    move.locator("input[name=target]").fill("C99999")
    move.locator("input[name=reason]").fill("x")
    move.locator("button", has_text="Move").click()
    assert "No case C99999" in page.inner_text("body")
    shot(page, "composition-01-case")
    # Undo the split from the history: the son is back in the family's case.
    page.goto(f"{base}/cases/{family.case_id}/composition/")
    undo = page.locator("table >> nth=2").locator("form").first
    undo.locator("input[name=reason]").fill("decided to stay together")
    undo.locator("button", has_text="Undo").click()
    son.refresh_from_db()
    assert (son.case_id, son.relationship) == (family.pk, "child")
    shot(page, "composition-02-undone")
