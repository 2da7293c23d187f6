"""In a real headless Chromium: a clerk uploads a file with errors, reads the report, fixes
the file, uploads it again, and it lands; the persons are then found by a variant
spelling."""

import csv

import pytest

from onward.registry.importing import COLUMNS
from onward.registry.importing.common import OPTIONAL
from onward.registry.models import Person
from onward.web.tests.browser import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = [
    [
        "P800001",
        "C800001",
        "principal",
        "Mohammad",
        "Rezaei",
        "Hossein",
        "M",
        "1970-05-12",
        "IRN",
        "X800001",
        "+964 770 100 0001",
        "SM",
    ],
    ["P800002", "C800001", "spouse", "Fatemeh", "Karimi", "Ali", "F", "1974", "IRN", "", "", ""],
    [
        "P800003",
        "C800002",
        "principal",
        "Abdul Rahman",
        "al-Tamimi",
        "Khalid",
        "M",
        "1965-02",
        "IRQ",
        "",
        "",
        "ER",
    ],
]


def _write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


def test_clerk_fixes_a_refused_file_and_imports_it(browser_page, live_server, clerk, tmp_path):
    page, base = browser_page, live_server.url
    bad = [list(r) for r in ROWS]
    bad[0][7] = "2013-02-30"  # impossible date
    bad[1][6] = "W"  # not a sex code
    bad[2][2] = "child"  # case C800002 without principal applicant
    login(page, base, "t_clerk")
    page.click("nav >> text=Import")
    page.wait_for_selector("h1 >> text=Import persons")
    shot(page, "import-01-page")
    page.set_input_files("input[type=file]", str(_write(tmp_path / "day-12.csv", bad)))
    page.click("button[type=submit] >> text=Upload and import")
    page.wait_for_selector("#import-outcome")
    assert "Refused: 3 errors" in page.inner_text("#import-outcome")
    errors = page.inner_text("#import-errors")
    assert "2013-02-30" in errors and "not a sex code" in errors
    assert "C800002 has no principal applicant" in errors
    shot(page, "import-02-refused")
    with page.expect_download() as download:
        page.click("text=Download the error report (CSV)")
    report = download.value.path().read_text(encoding="utf-8")
    assert report.count("\n") == 4
    assert Person.objects.count() == 0

    page.click("text=All imports")
    page.set_input_files("input[type=file]", str(_write(tmp_path / "day-12.csv", ROWS)))
    page.click("button[type=submit] >> text=Upload and import")
    page.wait_for_selector("#import-outcome")
    assert "Imported: all 3 rows landed" in page.inner_text("#import-outcome")
    shot(page, "import-03-landed")
    assert Person.objects.count() == 3

    page.click("nav >> text=Persons")
    page.fill("input[name=q]", "Abd al-Rahman Tamimi")
    with page.expect_navigation():
        page.click("form.filters button")
    page.wait_for_selector("text=P800003")
    shot(page, "import-04-found-by-variant")


def test_clerk_fills_the_downloaded_template_with_blank_ids_and_finds_the_person(
    browser_page, live_server, clerk, tmp_path
):
    """The clerk's day: the template from the Import page, a new household with no ids,
    the ids the import gave, then the principal found under another spelling."""
    page, base = browser_page, live_server.url
    login(page, base, "t_clerk")
    page.click("nav >> text=Import")
    with page.expect_download() as download:
        page.click("#templates >> text=Template (CSV)")
    header = next(csv.reader(download.value.path().open(encoding="utf-8-sig")))
    assert header == [*COLUMNS, *OPTIONAL]
    values = [
        {
            "relationship": "principal",
            "given_name": "Abdul Rahman",
            "family_name": "al-Tamimi",
            "sex": "M",
            "birth_date": "1965",
            "nationality": "IRQ",
            "specific_needs": "ER",
        },
        {
            "relationship": "spouse",
            "given_name": "Layla",
            "family_name": "al-Tamimi",
            "sex": "F",
            "birth_date": "1970",
            "nationality": "IRQ",
        },
    ]
    filled = tmp_path / "household.csv"
    with open(filled, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows([[v.get(column, "") for column in header] for v in values])
    page.set_input_files("input[type=file]", str(filled))
    shot(page, "template-01-import-page")
    page.click("button[type=submit] >> text=Upload and import")
    page.wait_for_selector("#import-outcome")
    assert "Imported: all 2 rows landed" in page.inner_text("#import-outcome")
    principal = Person.objects.get(given_name="Abdul Rahman")
    spouse = Person.objects.get(given_name="Layla")
    assert spouse.case == principal.case
    assigned = page.inner_text("#assigned")
    assert principal.person_id in assigned and principal.case.case_id in assigned
    assert spouse.person_id in assigned
    shot(page, "template-02-assigned-ids")

    page.click("nav >> text=Persons")
    page.fill("input[name=q]", "Abd al-Rahman Tamimi")
    with page.expect_navigation():
        page.click("form.filters button")
    page.wait_for_selector(f"text={principal.person_id}")
    shot(page, "template-03-found-by-variant")
