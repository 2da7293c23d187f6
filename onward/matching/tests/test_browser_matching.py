"""In a real headless Chromium: a resettlement officer runs a match on a small demo
population, locks one case, re-solves, accepts the proposal for one pledge, and finds the
submissions on the pledge's page."""

import datetime as dt

import pytest
from django.utils import timezone

from onward.accounts import roles
from onward.demo.population import population_load
from onward.demo.synthetic import generate_population
from onward.registry.models import Case
from onward.relocation import services as relocation
from onward.relocation.models import CapacityDimension, Submission
from onward.relocation.tests.factories import ready_to_submit
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DIMENSIONS = [
    ("persons", "Persons (places)", 0),
    ("medical", "Medical places", 1),
    ("large_family", "Large-family places (cases of 5 or more)", 2),
]


def _demo(users):
    """A small population, two open pledges and a dozen cases assessed for relocation."""
    for code, label, order in DIMENSIONS:  # a flushed database lost the seeded list
        CapacityDimension.objects.update_or_create(
            code=code, defaults={"label": label, "order": order}
        )
    population_load(generate_population(seed=7, persons=90))
    rs = users[roles.RESETTLEMENT]
    today = timezone.localdate()
    common = {
        "valid_from": str(today - dt.timedelta(days=10)),
        "valid_to": str(today + dt.timedelta(days=300)),
    }
    albania = relocation.pledge_create(
        actor=rs,
        data={"country": "ALB", "name": "Albania 2026", "capacities": {"persons": 10}, **common},
    )
    germany = relocation.pledge_create(
        actor=rs,
        data={
            "country": "DEU",
            "name": "Germany medical",
            "needs_served": ["SM", "DS"],
            "max_case_size": 4,
            "capacities": {"persons": 8, "medical": 2},
            **common,
        },
    )
    priorities = ["emergency", "urgent", "normal", "normal"]
    cases = [c for c in Case.objects.order_by("case_id") if c.members.exists()][:14]
    for i, case in enumerate(cases):
        relocation.case_identify(actor=rs, case=case)
        ready_to_submit(users, case)
        relocation.case_assess(
            actor=rs, case=case, category="LPN", priority=priorities[i % len(priorities)]
        )
    return albania, germany


def test_officer_matches_locks_resolves_and_accepts_one_pledge(browser_page, live_server, users):
    albania, germany = _demo(users)
    page, base = browser_page, live_server.url

    login(page, base, "t_resettlement")
    page.click("nav >> text=Matching")
    page.wait_for_selector("h1 >> text=Matching")
    shot(page, "matching-01-list")

    page.click("#new-match button[type=submit]")  # the job runs when its request commits
    page.wait_for_selector("text=Proposal ready")
    shot(page, "matching-02-proposal")
    first_run = page.url
    assert "Use of each pledge" in page.content()

    # Lock the first proposed case of Germany's pledge where it is, for the next re-solve.
    row = page.locator(f"#proposals-{germany.pk} tbody tr").first
    case_id = row.get_attribute("data-case")
    row.get_by_role("button", name=f"Lock {case_id}").click()
    page.wait_for_selector(".messages .success")
    assert "locked to" in page.locator(".messages").inner_text()
    shot(page, "matching-03-locked")

    page.click("#resolve")
    page.wait_for_selector("text=Proposal ready")
    assert page.url != first_run
    locked_row = page.locator(f"#proposals-{germany.pk} tr[data-case='{case_id}']")
    assert "locked" in locked_row.inner_text()
    shot(page, "matching-04-resolved")

    # The score of the locked pair, term by term.
    locked_row.locator("td.num a").click()
    page.wait_for_selector("h1 >> text=Score of")
    shot(page, "matching-05-explain")
    page.go_back()

    proposed = page.locator(f"#proposals-{germany.pk} tbody tr")
    expected = sorted(proposed.nth(i).get_attribute("data-case") for i in range(proposed.count()))
    page.click(f"#accept-{germany.pk}")
    page.wait_for_selector(".messages .success")
    assert f"Submitted {len(expected)} cases to 1 pledge" in page.content()
    shot(page, "matching-06-accepted")

    assert (
        sorted(Submission.objects.filter(pledge=germany).values_list("case__case_id", flat=True))
        == expected
    )
    assert not Submission.objects.filter(pledge=albania).exists()

    page.goto(f"{base}/relocation/pledges/{germany.pk}/")
    page.wait_for_selector("h1 >> text=Germany medical")
    history = page.locator("table.history").inner_text()
    for cid in expected:
        assert cid in history
    assert case_id in history
    shot(page, "matching-07-pledge-page")
