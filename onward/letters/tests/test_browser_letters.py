"""In a real headless Chromium: a clerk opens a case, goes to its letters, chooses
Persian and downloads the household's summary and the departure notice; the files are
Persian PDFs, read back in reading order."""

import pytest

from onward.accounts import roles
from onward.movements import services
from onward.movements.tests.factories import TRANSFER_DAY, ready_case
from onward.pdf.tests.reading import logical_text
from onward.relocation.tests.factories import pledge
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _download(page, click) -> bytes:
    with page.expect_download() as info:
        click()
    return open(info.value.path(), "rb").read()


def test_a_clerk_prints_a_households_letters_in_persian(
    browser_page, live_server, users, letter_catalog
):
    page, base = browser_page, live_server.url
    albania = pledge(users)
    case = ready_case(users, albania, size=2, given_name="زهرا")
    rs = users[roles.RESETTLEMENT]
    transfer = services.transfer_plan(actor=rs, pledge=albania, date=TRANSFER_DAY, seats=9)
    services.transfer_case_add(actor=rs, transfer=transfer, case=case)

    login(page, base, "t_clerk")
    page.goto(f"{base}/cases/{case.case_id}/")
    page.click("#case-letters")
    page.wait_for_url(f"**/cases/{case.case_id}/letters/")
    page.select_option("#id_language", "fa")
    page.click("#letter-language button[type=submit]")
    page.wait_for_url(f"**/cases/{case.case_id}/letters/")
    assert "فارسی" in page.locator("#letter-language strong").inner_text()
    shot(page, "letters-case-page")

    summary = logical_text(_download(page, lambda: page.click("#letter-summary")), rtl=True)
    assert "خلاصه اطلاعات خانوار شما" in summary
    assert f"شماره پرونده: {case.case_id}" in summary

    form = page.locator(f"#departure-{transfer.pk}")
    form.locator("input[name=assembly_point]").fill("Gate B")
    form.locator("input[name=assembly_time]").fill("۰۵:۴۵")
    form.locator("input[name=luggage_kg]").fill("23")
    notice = logical_text(
        _download(page, lambda: form.locator("button[type=submit]").click()), rtl=True
    )
    assert "محل تجمع: Gate B" in notice
    assert "ساعت حضور: ۰۵:۴۵" in notice
