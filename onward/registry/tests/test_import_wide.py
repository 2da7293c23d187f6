"""Issue 16: a header of 100,000 columns is refused with a short, clear message (web and
API), and an import page renders whatever a refused import left behind (its error report
once held a cell too large to read back: the page answered 500 for good)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onward import bounds
from onward.accounts import roles
from onward.jobs.models import Job
from onward.registry.importing import COLUMNS
from onward.registry.jobs import errors_path
from onward.registry.models import Person

pytestmark = pytest.mark.django_db(transaction=True)

WIDE = ",".join([*COLUMNS, *(f"c{i}" for i in range(100_000))]) + "\n" + "x," * 12 + "\n"


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.ONWARD_JOBS_EAGER = True


def _wide():
    return SimpleUploadedFile("wide.csv", WIDE.encode(), content_type="text/csv")


def test_a_wide_header_is_refused_on_the_import_page(client_for):
    client = client_for(roles.CLERK)
    response = client.post("/imports/", {"file": _wide()})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert (
        f"100,012 columns; a person file has 12 (at most {bounds.IMPORT_MAX_COLUMNS}" in page.text
    )
    assert len(page.content) < 100_000  # not a page listing 100,000 names
    assert client.get("/imports/").status_code == 200
    assert not Person.objects.exists()


def test_a_wide_header_is_refused_by_the_api(client_for):
    response = client_for(roles.CLERK).post("/api/imports/", {"file": _wide()})
    assert response.status_code == 400
    assert "100,012 columns" in response.json()["fields"]["file"][0]
    assert not Job.objects.exists()


def test_many_unknown_columns_are_named_a_few_and_counted(client_for):
    header = ",".join([*COLUMNS, *(f"extra{i}" for i in range(150))])
    upload = SimpleUploadedFile("extra.csv", f"{header}\n".encode(), content_type="text/csv")
    response = client_for(roles.CLERK).post("/api/imports/", {"file": upload})
    message = response.json()["fields"]["file"][0]
    assert "extra0, extra1" in message and "and 140 more" in message and "extra149" not in message


def test_the_page_renders_an_error_report_that_does_not_read_back(client_for):
    client = client_for(roles.CLERK)
    bad = ",".join(COLUMNS) + "\nP1,C1,principal,Ali,,,Q,,,,,\n"
    response = client.post(
        "/imports/", {"file": SimpleUploadedFile("bad.csv", bad.encode(), content_type="text/csv")}
    )
    job = Job.objects.get()
    # The state an older refusal left: one cell far over the csv module's 128 KiB limit.
    errors_path(job).write_text(
        "row,column,value,message\n0,file,," + "x" * 200_000 + "\n", encoding="utf-8"
    )
    page = client.get(response["Location"])
    assert page.status_code == 200 and "cannot be shown here" in page.text
    assert client.get(f"/imports/{job.pk}/errors.csv").status_code == 200
