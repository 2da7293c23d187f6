"""In a real headless Chromium: the data manager opens the dashboard, moves the date
back, follows a figure to its records and downloads the situation report; a delegation
user sees its own figures only. Screenshots and the PDF's first page (as PNG) are saved
under test-output/screenshots/."""

import datetime as dt
import random
import shutil
import subprocess

import pytest

from onward.accounts import roles
from onward.demo.population import population_load
from onward.demo.synthetic import generate_population
from onward.incidents import services as incidents
from onward.movements import services as movements
from onward.registry.models import Person
from onward.relocation.tests.factories import bring_to, make_case, pledge
from onward.web.tests.browser import OUTPUT, login, logout, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _camp(users):
    population_load(generate_population(seed=3, persons=400))
    rng = random.Random(1)
    for p in rng.sample(list(Person.objects.order_by("pk")), 60):
        on = min(p.arrival_date + dt.timedelta(days=rng.randint(30, 500)), dt.date.today())
        movements.departure_record(
            actor=users[roles.PROTECTION],
            person=p,
            on=on,
            kind=rng.choice(movements.RECORDABLE_DEPARTURES),
        )
    alb = pledge(users, country="ALB", persons=210)
    fra = pledge(users, country="FRA", persons=40)
    for i, (state, p) in enumerate(
        [
            ("departed", alb),
            ("accepted", alb),
            ("submitted", alb),
            ("accepted", fra),
            ("identified", None),
        ]
    ):
        bring_to(users, make_case(users, size=3 + i), state, pledge_=p, day=i)
    officer = users[roles.PROTECTION]
    incident = incidents.incident_create(
        actor=officer,
        data={"occurred_at": "2013-02-09 06:00", "type": "indirect_fire", "place": "Block D"},
    )
    for source, stated, killed, official in (
        ("Ministry", "2013-02-09", 6, True),
        ("Residents' committee", "2013-02-10", 8, False),
    ):
        incidents.claim_add(
            actor=officer,
            incident=incident,
            data={
                "source": source,
                "stated_on": stated,
                "killed": killed,
                "injured": 30,
                "official": official,
            },
        )


def _pdf_first_page(path, name):
    png = OUTPUT / name
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(path),
                str(png),
            ],
            check=True,
        )
    return png.with_suffix(".png")


def test_data_manager_and_delegation_dashboards_and_pdf(browser_page, live_server, users):
    _camp(users)
    page, base = browser_page, live_server.url
    login(page, base, "t_datamanager")
    population = page.inner_text("#overview-population")
    shot(page, "reports-00-overview-data-manager")
    page.click("nav >> text=Reports")
    page.wait_for_selector("#figure-population_by_sex canvas")
    assert "true for" in page.inner_text("p.as-of")
    assert page.inner_text("#figure-population_total td") == population
    shot(page, "reports-01-dashboard-data-manager")
    page.fill("input[name=as_of]", "2012-06-30")
    page.click("form.report-date button")
    page.wait_for_selector("text=true for 2012-06-30")
    shot(page, "reports-02-dashboard-past-date")
    page.click("#figure-population_by_sex tbody tr:first-child a")
    page.wait_for_selector("h1 >> text=Records behind a figure")
    assert "as of 2012-06-30" in page.content()
    shot(page, "reports-03-records-behind-a-figure")
    page.go_back()
    with page.expect_download() as info:
        page.click("#report-pdf")
    pdf = OUTPUT / "reports-situation-data-manager.pdf"
    info.value.save_as(str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    _pdf_first_page(pdf, "reports-04-pdf-first-page-data-manager")
    logout(page)

    login(page, base, "t_delegation")
    page.click("nav >> text=Reports")
    page.wait_for_selector("#figure-submitted_by_sex")
    text = page.inner_text("main")
    assert "FRA" not in text and "Population by sex" not in text and "Incidents" not in text
    # Small numbers (cases of 3 to 5 persons) are hidden, marked alike, the rule stated.
    assert "<5" not in text and "hidden to protect the persons" in page.inner_text(
        "#suppression-rule"
    )
    assert page.locator("td.hidden-cell").count() > 0
    assert set(page.locator("td.hidden-cell").all_inner_texts()) == {"x"}
    shot(page, "reports-05-dashboard-delegation")
    with page.expect_download() as info:
        page.click("#report-pdf")
    pdf = OUTPUT / "reports-situation-delegation.pdf"
    info.value.save_as(str(pdf))
    _pdf_first_page(pdf, "reports-06-pdf-first-page-delegation")
