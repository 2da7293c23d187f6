"""In headless Chromium: a resident marked missing at a roll call appears on the
follow-up list, is recorded as departed (whereabouts unknown) from it, and the
population figure of the overview falls by one; the protection officer's e-mail digest,
chosen on the preferences page, arrives at a real SMTP server with ids and links only."""

import pytest
from django.utils import timezone

from onward.accounts import roles
from onward.movements.ledger import population_on
from onward.presence import services
from onward.presence.tests.factories import camp_with, incident
from onward.tasks.digests import send_digests
from onward.tasks.services import refresh
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_missing_person_is_followed_up_to_whereabouts_unknown(
    browser_page, live_server, users, smtp_server
):
    page, base = browser_page, live_server.url
    officer = users[roles.PROTECTION]
    officer.email = "protection@onward.example"
    officer.save(update_fields=["email"])
    blocks, housed = camp_with(users, blocks=("A",), per_block=3)
    roll = services.rollcall_open(
        actor=officer,
        blocks=[blocks["A"]],
        reason="incident",
        incident=incident(users),
        on=timezone.localdate(),
    )
    missing = housed["A"][1]
    services.rollcall_mark(actor=officer, roll_call=roll, person=missing, status="missing")
    refresh()
    login(page, base, officer.username)

    page.goto(f"{base}/")
    before = int(page.inner_text("#overview-population"))
    assert before == population_on(timezone.localdate()) == 3

    page.goto(f"{base}/account/preferences/")
    page.select_option("#id_digest-frequency", "daily")
    page.check("#digest-preferences input[value='missing after roll call']")
    shot(page, "follow-up-01-digest-preferences")
    page.click("#preferences-form button[type=submit]")
    assert send_digests() == {"made": 1, "sent": 1, "failed": 0}
    [(to, mail)] = smtp_server.messages
    text = mail.get_body().get_content()
    assert to == ["protection@onward.example"] and "/tasks/#task-" in text
    assert missing.given_name not in text and missing.person_id not in text

    page.goto(f"{base}/tasks/")
    page.click(".follow-up")
    page.wait_for_url("**/presence/follow-up/**")
    row = page.locator(f"#person-{missing.pk}")
    assert missing.person_id in row.inner_text()
    assert f"roll call {roll.pk}" in row.inner_text()
    assert row.locator("input[name=on]").input_value() == str(roll.on)
    shot(page, "follow-up-02-list")
    row.locator("button[value=whereabouts_unknown]").click()
    assert "recorded as departed" in page.inner_text(".messages")
    assert page.locator(f"#person-{missing.pk}").count() == 0
    shot(page, "follow-up-03-recorded")

    missing.refresh_from_db()
    assert missing.departure_type == "whereabouts_unknown"
    page.goto(f"{base}/")
    assert int(page.inner_text("#overview-population")) == before - 1
    shot(page, "follow-up-04-population")
