"""In headless Chromium on a phone-sized viewport (390 x 844): scan three cards, name
the blocks an incident hit, open a roll call over them, mark one resident injured and
one missing, see the registry's figure beside the sources' claims, find the task for
the missing person."""

import pytest
from django.utils import timezone

from onward.accounts import roles
from onward.incidents import services as incidents
from onward.presence import services
from onward.presence.models import PresenceEvent
from onward.presence.tests.factories import camp_with, incident
from onward.tasks.services import refresh
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_phone_scans_cards_and_runs_the_roll_call_after_an_attack(
    browser_page, live_server, users
):
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    officer = users[roles.PROTECTION]
    blocks, housed = camp_with(users, blocks=("A", "B", "C"), per_block=2)
    cards = [
        services.card_issue(actor=users[roles.CLERK], person=p)
        for p in housed["A"] + housed["B"][:1]
    ]
    attack = incident(users)
    incidents.claim_add(
        actor=officer,
        incident=attack,
        data={"source": "Reuters", "stated_on": "2013-12-26", "killed": 2, "injured": 5},
    )
    login(page, base, officer.username)

    page.goto(f"{base}/presence/scan/")
    page.fill("#id_checkpoint", "Gate 1")
    for card in cards:
        # A keyboard-wedge scanner types the code and presses Enter.
        page.fill("#id_token", card.token)
        page.press("#id_token", "Enter")
        page.wait_for_selector("#scan-result")
        assert card.person.person_id in page.inner_text("#scan-result")
    assert PresenceEvent.objects.count() == 3
    assert page.input_value("#id_checkpoint") == "Gate 1"
    page.fill("#id_token", "not-a-card")
    page.press("#id_token", "Enter")
    assert "No card has this code" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "presence-01-scan-phone")

    page.goto(f"{base}/incidents/{attack.pk}/")
    page.check(f"#blocks-hit-form input[value='{blocks['A'].pk}']")
    page.check(f"#blocks-hit-form input[value='{blocks['B'].pk}']")
    page.click("#blocks-hit-form button[type=submit]")
    assert page.inner_text("#blocks-hit").startswith("A, B")
    page.click("text=Open a roll call over them")
    assert page.is_checked(f"input[name=blocks][value='{blocks['A'].pk}']")
    assert not page.is_checked(f"input[name=blocks][value='{blocks['C'].pk}']")
    page.fill("#id_on", timezone.localdate().isoformat())
    shot(page, "presence-02-open-roll-call")
    page.click("main form button[type=submit]")
    assert "4 residents expected" in page.inner_text(".messages")
    shot(page, "presence-03-roll-call")

    injured, missing = housed["A"][0], housed["B"][1]
    for person, status, block in ((injured, "injured", "A"), (missing, "missing", "B")):
        page.goto(f"{base}/presence/scan/")  # leave, and come back through the roll call
        page.goto(f"{base}/rollcalls/")
        page.click("tbody td:first-child a")
        page.wait_for_url("**/rollcalls/*/")
        page.locator("tbody td:first-child a", has_text=block).click()
        row = page.locator(f"#line-{person.person_id}")
        row.locator("select").select_option(status)
        row.locator("button").click()
        assert status.capitalize() in page.inner_text(f"#line-{person.person_id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "presence-04-sheet-phone")

    page.goto(f"{base}/incidents/{attack.pk}/")
    assert page.inner_text("#registry-injured") == "1"
    assert page.inner_text("#registry-missing") == "1"
    assert page.inner_text("#registry-killed") == "0"
    assert "confirmed by the registry" in page.inner_text("#claims-table")
    assert missing.person_id in page.inner_text("#registry-figure")
    shot(page, "presence-05-incident-figure")

    refresh()
    page.goto(f"{base}/tasks/")
    assert f"{missing.person_id} missing since roll call" in page.inner_text("main")
    shot(page, "presence-06-task")


def test_a_clerk_issues_a_card_and_reads_who_was_not_seen(browser_page, live_server, users):
    page, base = browser_page, live_server.url
    blocks, housed = camp_with(users, blocks=("A", "B"), per_block=2)
    person = housed["A"][0]
    login(page, base, users[roles.CLERK].username)
    page.goto(f"{base}/presence/persons/{person.person_id}/card/")
    page.click("text=Issue a card")
    assert page.locator("#resident-card img").is_visible()
    assert person.given_name not in page.inner_text("#resident-card")
    shot(page, "presence-07-card")
    page.goto(f"{base}/presence/not-seen/?days=7")
    page.locator("tbody a", has_text="A").click()
    assert person.person_id in page.inner_text("main")
    shot(page, "presence-08-not-seen")
