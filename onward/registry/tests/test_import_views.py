"""The Import page: upload, background job, result page with the errors and their CSV."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onward.jobs.models import Job
from onward.registry.importing import COLUMNS
from onward.registry.importing.common import OPTIONAL
from onward.registry.models import Person

pytestmark = pytest.mark.django_db(transaction=True)

GOOD = [
    [
        "P900001",
        "C900001",
        "principal",
        "Mohammad",
        "Rezaei",
        "Hossein",
        "M",
        "1970-05-12",
        "IRN",
        "X1",
        "",
        "SM",
    ],
    ["P900002", "C900001", "spouse", "Fatemeh", "Karimi", "Ali", "F", "1974", "IRN", "", "", ""],
]


def _upload(rows, name="people.csv"):
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return SimpleUploadedFile(name, text.getvalue().encode(), content_type="text/csv")


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.ONWARD_JOBS_EAGER = True


def test_a_clerk_uploads_a_file_with_errors_and_sees_them_all(client, clerk):
    client.force_login(clerk)
    bad = [[*GOOD[0][:7], "2013-02-30", *GOOD[0][8:]], [*GOOD[1][:6], "Q", *GOOD[1][7:]]]
    response = client.post("/imports/", {"file": _upload(bad)})
    assert response.status_code == 302
    job = Job.objects.get(kind="import")
    assert response["Location"] == f"/imports/{job.pk}/"
    assert job.status == "done" and job.result["errors"] == 2
    page = client.get(response["Location"]).content.decode()
    assert "Refused: 2 errors" in page and "2013-02-30" in page and "not a sex code" in page
    report = client.get(f"/imports/{job.pk}/errors.csv")
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode())))
    assert rows[0] == ["row", "column", "value", "message", "code", "params"] and len(rows) == 3
    assert Person.objects.count() == 0
    listing = client.get("/imports/").content.decode()
    assert "people.csv" in listing and "Refused" in listing


def test_a_good_file_lands_and_a_dry_run_does_not(client, clerk):
    client.force_login(clerk)
    client.post("/imports/", {"file": _upload(GOOD), "dry_run": "on"})
    assert Person.objects.count() == 0
    response = client.post("/imports/", {"file": _upload(GOOD)})
    page = client.get(response["Location"]).content.decode()
    assert "Imported: all 2 rows landed" in page
    assert Person.objects.count() == 2


def test_an_upload_over_the_limit_is_refused_before_it_is_stored(client, clerk, settings):
    settings.ONWARD_IMPORT_MAX_BYTES = 50
    client.force_login(clerk)
    page = client.post("/imports/", {"file": _upload(GOOD)}).content.decode()
    assert "over the import limit" in page
    assert not Job.objects.exists()


def test_someone_elses_import_is_not_found(client, clerk, users):
    from onward.accounts import roles

    client.force_login(clerk)
    response = client.post("/imports/", {"file": _upload(GOOD)})
    other = users[roles.CLERK].__class__.objects.create_user(
        username="t_clerk2", password="pw-for-tests-123", role=roles.CLERK
    )
    client.force_login(other)
    assert client.get(response["Location"]).status_code == 404
    client.force_login(users[roles.DATA_MANAGER])
    assert client.get(response["Location"]).status_code == 200


def test_the_list_pages_offer_exports_only_to_those_who_may(client, users):
    from onward.accounts import roles

    client.force_login(users[roles.DATA_MANAGER])
    page = client.get("/persons/", {"q": "Ali", "sex": "M"}).content.decode()
    assert "/persons/export/?q=Ali&amp;sex=M&amp;format=xlsx" in page
    client.force_login(users[roles.CLERK])
    assert "/persons/export/" not in client.get("/persons/").content.decode()


def test_the_import_jobs_audit_entries_carry_the_upload_requests_id(client, clerk):
    """The job runs later, in the worker: its entries still name the request that asked."""
    from onward.audit.models import AuditEntry

    client.force_login(clerk)
    response = client.post("/imports/", {"file": _upload(GOOD)})
    request_id = response["X-Request-ID"]
    created = AuditEntry.objects.filter(action="create", object_type="person")
    assert created.count() == 2
    assert set(created.values_list("request_id", flat=True)) == {request_id}


def test_the_import_page_offers_the_templates_and_they_hold_every_column(client, clerk):
    from onward.registry.import_template import HEADER

    client.force_login(clerk)
    page = client.get("/imports/").content.decode()
    for name in ("template.xlsx", "template.csv", "codes.csv"):
        assert f"/imports/files/{name}" in page
    head = client.get("/imports/files/template.csv").content.decode("utf-8-sig")
    assert head.strip().split(",") == [*COLUMNS, *OPTIONAL] == list(HEADER)
    codes = list(
        csv.reader(io.StringIO(client.get("/imports/files/codes.csv").content.decode("utf-8-sig")))
    )
    columns = {row[0] for row in codes[1:]}
    assert columns == {"sex", "relationship", "specific_needs", "nationality"}
    assert ["specific_needs", "TR", "Survivor of torture"] in codes
    assert ["nationality", "IRN", "Iran, Islamic Republic of"] in codes
    assert client.get("/imports/files/other.csv").status_code == 404


def test_the_xlsx_template_filled_in_with_blank_ids_imports_as_it_is(client, clerk):
    import openpyxl

    client.force_login(clerk)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/imports/files/template.xlsx").content))
    assert book.sheetnames == ["persons", "codes"]
    sheet = book["persons"]
    header = [c.value for c in sheet[1] if c.value]
    # Drop-downs of the code lists, where one cell takes one code.
    lists = {
        str(v.sqref).split(":")[0][0]: v.formula1 for v in sheet.data_validations.dataValidation
    }
    assert set(lists) == {chr(65 + header.index(c)) for c in ("relationship", "sex", "nationality")}
    values = {
        "relationship": "principal",
        "given_name": "Zahra",
        "family_name": "Ahmadi",
        "sex": "F",
        "birth_date": "1980",
        "nationality": "IRN",
        "specific_needs": "WR",
    }
    for column, value in values.items():
        sheet.cell(row=2, column=header.index(column) + 1, value=value)
    sheet.cell(row=3, column=header.index("relationship") + 1, value="child")
    sheet.cell(row=3, column=header.index("given_name") + 1, value="Sara")
    filled = io.BytesIO()
    book.save(filled)
    upload = SimpleUploadedFile("filled.xlsx", filled.getvalue())
    response = client.post("/imports/", {"file": upload})
    job = Job.objects.get(kind="import")
    assert job.result["applied"], job.result
    page = client.get(response["Location"]).content.decode()
    zahra = Person.objects.get(given_name="Zahra")
    sara = Person.objects.get(given_name="Sara")
    assert sara.case == zahra.case and zahra.specific_needs.get().code == "WR"
    assert "Ids given to 2 rows" in page
    assert f"/persons/{zahra.person_id}/" in page and f"/cases/{zahra.case.case_id}/" in page
    listed = list(
        csv.reader(
            io.StringIO(
                b"".join(client.get(f"/imports/{job.pk}/assigned.csv").streaming_content).decode()
            )
        )
    )
    assert listed == [
        ["row", "person_id", "case_id"],
        ["2", zahra.person_id, zahra.case.case_id],
        ["3", sara.person_id, zahra.case.case_id],
    ]
