"""In headless Chromium: a clerk registering a variant spelling of an existing person is
warned before saving; the data manager opens the pair, chooses what the survivor keeps
field by field, merges, follows the old id to the survivor, and undoes the merge."""

import pytest

from onward.web.tests.browser import login, logout, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "+964 770 123 4567"


@pytest.fixture
def registry_population(db):
    from onward.demo.population import population_load
    from onward.demo.synthetic import generate_population

    population_load(generate_population(seed=7, persons=400))


def test_variant_warning_then_merge_choosing_fields_follow_the_old_id_and_undo(
    browser_page, live_server, users, registry_population, settings
):
    from onward.accounts import roles
    from onward.conftest import principal_data
    from onward.registry import services
    from onward.registry.models import Person

    settings.ONWARD_DEDUP_SECOND_REVIEWER = False
    existing = services.case_create(
        actor=users[roles.CLERK],
        principal=principal_data(
            given_name="Hossein",
            family_name="Mohammadi",
            father_name="Abdolreza",
            birth_date="1966-03-21",
            document_number="LIB-12-009999",
        ),
    ).members.get()
    page, base = browser_page, live_server.url

    login(page, base, "t_clerk")
    page.goto(f"{base}/cases/new/")
    page.fill("#id_given_name", "Hussein")
    page.fill("#id_family_name", "Mohamadi")
    page.fill("#id_father_name", "Abdul Reza")
    page.select_option("#id_sex", "M")
    page.fill("#id_birth_date", "1966")
    page.fill("#id_phone", PHONE)
    page.click("button[type=submit] >> text=Save")
    page.wait_for_selector("text=This person may already be registered.")
    assert existing.person_id in page.content()
    shot(page, "dedup-01-registration-warning")
    page.check("input[name=confirm_new]")
    page.click("button[type=submit] >> text=Save")
    page.wait_for_selector(".messages .success")
    shot(page, "dedup-02-saved-anyway")
    again = Person.objects.get(given_name="Hussein", family_name="Mohamadi")
    logout(page)

    login(page, base, "t_datamanager")
    page.click("nav >> text=Duplicates")
    page.wait_for_selector(f"text={existing.person_id}")
    shot(page, "dedup-03-queue")
    page.locator("tr", has_text=existing.person_id).get_by_role("link", name="Review").click()
    page.wait_for_selector("text=spelling variants of one name")
    # The survivor has no phone: the other record's is chosen before anyone touches it.
    assert page.is_checked(f"input[name=keep_phone][value={again.person_id}]")
    page.check(f"input[name=keep_family_name][value={again.person_id}]")
    shot(page, "dedup-04-pair-fields")
    page.set_viewport_size({"width": 390, "height": 844})
    # On a phone the comparison scrolls inside its box; the page itself does not.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "dedup-04b-pair-fields-390px")
    page.set_viewport_size({"width": 1280, "height": 860})
    page.check("input[value=same]")
    page.select_option("select[name=survivor]", existing.person_id)
    page.click("text=Record decision")
    page.wait_for_selector("text=Merged.")
    assert page.locator("input[name=decision]").count() == 0  # decided: no form
    assert page.locator(".card.decided", has_text="by t_datamanager").count() == 1
    shot(page, "dedup-05-merged")
    page.goto(f"{base}/duplicates/?status=merged")
    assert "by t_datamanager" in page.locator("tr", has_text=existing.person_id).inner_text()
    shot(page, "dedup-05b-queue-decided")

    page.goto(f"{base}/persons/{again.person_id}/")  # the old id
    page.wait_for_url(f"**/persons/{existing.person_id}/")
    notice = page.locator(".messages .info").inner_text()
    assert f"{again.person_id} was merged into {existing.person_id} on" in notice
    assert PHONE in page.locator("dl.fields").first.inner_text()
    history = page.locator("#merge-history + .card").inner_text()
    assert "this record's own value before the merge" in history and "Mohammadi" in history
    shot(page, "dedup-06-old-id-leads-to-survivor")

    page.click("#merge-history + .card >> text=pair")
    page.click("text=Undo this merge")
    page.wait_for_selector("text=Merge undone: both records are as they were")
    shot(page, "dedup-07-unmerged")
    page.goto(f"{base}/persons/{existing.person_id}/")
    assert PHONE not in page.locator("dl.fields").first.inner_text()
    assert "Mohammadi" in page.locator("h1").inner_text()
    assert "both records restored" in page.locator("#merge-history + .card").inner_text()
    shot(page, "dedup-08-survivor-after-undo")
    page.goto(f"{base}/persons/{again.person_id}/")
    assert page.locator("h1", has_text="Mohamadi").count() == 1
