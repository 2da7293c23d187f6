"""The Import page: upload, background job, result page with the errors and their CSV."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onward.jobs.models import Job
from onward.registry.importing import COLUMNS
from onward.registry.models import Person

pytestmark = pytest.mark.django_db(transaction=True)

GOOD = [
    ["P900001", "C900001", "principal", "Mohammad", "Rezaei", "Hossein", "M", "1970-05-12",
     "IRN", "X1", "", "SM"],
    ["P900002", "C900001", "spouse", "Fatemeh", "Karimi", "Ali", "F", "1974", "IRN", "", "",
     ""],
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
    assert rows[0] == ["row", "column", "value", "message"] and len(rows) == 3
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
        username="t_clerk2", password="pw-for-tests-123", role=roles.CLERK)
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
