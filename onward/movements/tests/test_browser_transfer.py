"""In a real headless Chromium: a resettlement officer takes a no-show off a transfer's
manifest and confirms it; the population figure, the pledge's departed figure and the
ledger change together."""

import pytest
from django.urls import NoReverseMatch, reverse

from onward.accounts import roles
from onward.movements import services
from onward.movements.tests.factories import TRANSFER_DAY, ready_case
from onward.relocation.tests.factories import pledge
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _figure(page, selector) -> str:
    return page.locator(selector).inner_text().strip()


def test_confirm_a_transfer_with_one_no_show(browser_page, live_server, users):
    page, base = browser_page, live_server.url
    rs = users[roles.RESETTLEMENT]
    albania = pledge(users)
    travelling = ready_case(users, albania, size=3)
    no_show = ready_case(users, albania, size=2, given_name="Hamid")
    transfer = services.transfer_plan(actor=rs, pledge=albania, date=TRANSFER_DAY, seats=27)
    services.transfer_case_add(actor=rs, transfer=transfer, case=travelling)

    login(page, base, "t_resettlement")
    page.click("nav >> text=Population")
    before = int(_figure(page, "#population-total"))
    assert before == 5
    shot(page, "movements-01-population-before")

    page.click("nav >> text=Transfers")
    page.click(f"text=#{transfer.pk}")
    page.click("form[action$='/cases/'] button")  # the only other ready case: the no-show
    page.wait_for_selector(".messages .success")
    assert _figure(page, "#manifest-persons") == "5"
    shot(page, "movements-02-manifest-two-cases")
    take_off = f"#line-{no_show.case_id} form[action$='/remove/']"
    page.fill(f"{take_off} input[name=reason]", "no-show: did not come to the bus")
    page.click(f"{take_off} button")
    page.wait_for_selector("text=Taken off the manifest")
    assert _figure(page, "#manifest-persons") == "3"
    assert _figure(page, "#pledge-departed").startswith("0")
    shot(page, "movements-03-no-show-removed")
    page.click("#confirm-transfer")
    page.wait_for_selector(".messages .success")
    assert "Departed" in _figure(page, "#transfer-status")
    assert _figure(page, "#pledge-departed").startswith("3")
    shot(page, "movements-04-confirmed")

    try:
        page.goto(base + reverse("pledge_detail", kwargs={"pledge_id": albania.pk}))
        shot(page, "movements-05-pledge")
        assert "3" in page.content()
    except NoReverseMatch:
        pass  # the relocation app's pledge page is not there yet: the transfer page shows it

    page.click("nav >> text=Population")
    assert int(_figure(page, "#population-total")) == before - 3
    page.select_option("select[name=kind]", "relocated")
    page.click("form.filters >> nth=1 >> button")
    rows = page.locator("table.entries tbody tr")
    assert rows.count() == 3
    shot(page, "movements-06-population-after")


def test_an_incident_sets_its_claims_side_by_side(browser_page, live_server, users):
    from onward.incidents import services as incidents

    officer = users[roles.PROTECTION]
    incident = incidents.incident_create(
        actor=officer,
        data={
            "occurred_at": "2013-09-01",
            "type": "armed_attack",
            "within_site": False,
            "place": "Origin camp, Diyala",
            "time_known": False,
        },
    )
    incidents.claim_add(
        actor=officer,
        incident=incident,
        data={"source": "Residents' organisation", "stated_on": "2013-09-01", "killed": 52},
    )
    incidents.claim_add(
        actor=officer,
        incident=incident,
        data={
            "source": "Government of Iraq",
            "stated_on": "2013-09-10",
            "killed": 53,
            "official": True,
            "summary": "The 53rd victim was identified late.",
        },
    )
    page, base = browser_page, live_server.url
    login(page, base, "t_protection")
    page.click("nav >> text=Incidents")
    shot(page, "incidents-01-list")
    page.click("text=2013-09-01")
    page.wait_for_selector("text=Claims side by side")
    assert "52–53" in page.content()
    shot(page, "incidents-02-detail-latest-official")
    page.select_option("select[name=rule]", "lowest")
    page.wait_for_url("**rule=lowest")
    shot(page, "incidents-03-detail-lowest")
    assert page.locator(".figure .n").first.inner_text().strip() == "52"
