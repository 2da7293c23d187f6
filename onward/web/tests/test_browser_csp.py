"""In a real headless Chromium, under the Content-Security-Policy: an administrator goes
through the main pages and none of them trips the policy (no inline script, style or
handler refused), the pages' scripts still work (the dashboard's charts, the API's
Swagger UI, the rule selector that submits itself, the Cancel button that goes back)."""

import datetime as dt

import pytest

from onward.accounts import roles
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/cases/",
    "/persons/",
    "/imports/",
    "/duplicates/",
    "/relocation/pledges/",
    "/relocation/cases/",
    "/relocation/submissions/",
    "/matching/",
    "/matching/policies/",
    "/matching/links/",
    "/transfers/",
    "/population/",
    "/incidents/",
    "/protection-requests/",
    "/audit/",
    "/population/departures/new/",
    "/admin/",
]


def _world(users):
    from onward.incidents import services as incidents
    from onward.movements import services as movements
    from onward.relocation.models import State
    from onward.relocation.tests.factories import bring_to, make_case, pledge

    albania = pledge(users, country="ALB", persons=40)
    case = bring_to(users, make_case(users, size=3), State.ACCEPTED, pledge_=albania)
    make_case(users, size=2, nationality="AFG", given_name="Ali")
    movements.transfer_plan(
        actor=users[roles.ADMIN],
        pledge=albania,
        date=dt.date.today() + dt.timedelta(days=20),
        seats=10,
    )
    incident = incidents.incident_create(
        actor=users[roles.PROTECTION],
        data={"occurred_at": "2013-02-09 06:00", "type": "indirect_fire", "place": "Block D"},
    )
    incidents.claim_add(
        actor=users[roles.PROTECTION],
        incident=incident,
        data={
            "source": "Ministry",
            "stated_on": "2013-02-09",
            "killed": 6,
            "injured": 30,
            "official": True,
        },
    )
    return case, albania, incident


@pytest.fixture
def violations(browser_page):
    """Every console message about the policy, every script error and every file that
    fails to load (the browser's own favicon request aside), on any page."""
    seen = []
    browser_page.on(
        "console",
        lambda m: (
            seen.append(f"{browser_page.url}: {m.text}")
            if "Content Security Policy" in m.text
            else None
        ),
    )
    browser_page.on("pageerror", lambda e: seen.append(f"{browser_page.url}: {e}"))
    browser_page.on(
        "response",
        lambda r: (
            seen.append(f"{r.url}: {r.status}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    return seen


def test_the_main_pages_work_under_the_policy(browser_page, live_server, users, violations):
    case, albania, incident = _world(users)
    page, base = browser_page, live_server.url
    login(page, base, users[roles.ADMIN].username)
    for path in [
        *PAGES,
        f"/cases/{case.case_id}/",
        f"/relocation/pledges/{albania.pk}/",
        f"/relocation/cases/{case.case_id}/",
        f"/admin/accounts/user/{users[roles.CLERK].pk}/change/",
    ]:
        response = page.goto(base + path)
        assert response.status == 200, path
    assert violations == []

    # The dashboard draws its charts with the vendored Chart.js.
    page.goto(f"{base}/reports/")
    page.wait_for_selector("canvas")
    drawn = page.evaluate("""() => [...document.querySelectorAll('canvas')]
        .filter(c => window.Chart && Chart.getChart(c)).length""")
    assert drawn > 0
    shot(page, "csp-01-dashboard")

    # Swagger UI starts from its script file and lists the operations.
    page.goto(f"{base}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock")
    assert "Onward API" in page.inner_text(".swagger-ui .info")
    shot(page, "csp-02-api-docs")

    # A select that submits its form, and a Cancel that goes back, without inline script.
    page.goto(f"{base}/incidents/{incident.pk}/")
    rule = page.locator("main select[data-autosubmit] option").nth(1).get_attribute("value")
    page.select_option("main select[data-autosubmit]", rule)
    page.wait_for_url(f"**/incidents/{incident.pk}/?rule={rule}")
    page.goto(f"{base}/incidents/")
    page.goto(f"{base}/incidents/new/")
    page.click("a[data-back]")
    page.wait_for_url(f"{base}/incidents/")

    assert violations == []


def test_an_inline_script_would_be_refused(browser_page, live_server, users, violations):
    """The check above can fail: a page with an inline script reports a violation."""
    page, base = browser_page, live_server.url
    login(page, base, users[roles.ADMIN].username)
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.ran = 1'; document.body.append(s); }""")
    assert page.evaluate("() => window.ran") is None
    assert any("Content Security Policy" in v for v in violations)
