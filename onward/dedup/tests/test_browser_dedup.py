"""In headless Chromium: a clerk registering a variant spelling of an existing person is
warned before saving; a data manager merges the pair from the queue, then undoes it."""

import pytest

from onward.web.tests.browser import browser_page, login, logout, shot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def registry_population(db):
    from onward.demo.population import population_load
    from onward.registry.synthetic import generate_population

    population_load(generate_population(seed=7, persons=400))


def test_variant_warning_then_merge_and_unmerge(browser_page, live_server, users,  # noqa: F811
                                                 registry_population, settings):
    from onward.accounts import roles
    from onward.conftest import principal_data
    from onward.registry import services

    settings.ONWARD_DEDUP_SECOND_REVIEWER = False
    existing = services.case_create(actor=users[roles.CLERK], principal=principal_data(
        given_name="Hossein", family_name="Mohammadi", father_name="Abdolreza",
        birth_date="1966-03-21", document_number="LIB-12-009999")).members.get()
    page, base = browser_page, live_server.url

    login(page, base, "t_clerk")
    page.goto(f"{base}/cases/new/")
    page.fill("#id_given_name", "Hussein")
    page.fill("#id_family_name", "Mohamadi")
    page.fill("#id_father_name", "Abdul Reza")
    page.select_option("#id_sex", "M")
    page.fill("#id_birth_date", "1966")
    page.click("button[type=submit] >> text=Save")
    page.wait_for_selector("text=This person may already be registered.")
    assert existing.person_id in page.content()
    shot(page, "dedup-01-registration-warning")
    page.check("input[name=confirm_new]")
    page.click("button[type=submit] >> text=Save")
    page.wait_for_selector(".messages .success")
    shot(page, "dedup-02-saved-anyway")
    logout(page)

    login(page, base, "t_datamanager")
    page.click("nav >> text=Duplicates")
    page.wait_for_selector(f"text={existing.person_id}")
    shot(page, "dedup-03-queue")
    page.locator("tr", has_text=existing.person_id).get_by_role("link", name="Review").click()
    page.wait_for_selector("text=spelling variants of one name")
    shot(page, "dedup-04-pair")
    page.check("input[value=same]")
    page.select_option("select[name=survivor]", existing.person_id)
    page.click("text=Record decision")
    page.wait_for_selector("text=Merged.")
    shot(page, "dedup-05-merged")
    page.click("text=Undo this merge")
    page.wait_for_selector("text=Merge undone")
    shot(page, "dedup-06-unmerged")
