"""The import in the API: the Import page's all-or-nothing import, as a background job."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.jobs.models import Job
from onward.registry.importing import COLUMNS
from onward.registry.models import Person
from onward.registry.tests.test_import_views import GOOD

pytestmark = pytest.mark.django_db(transaction=True)


def _csv(rows, header=COLUMNS) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode()


def _file(content: bytes, name="people.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.ONWARD_JOBS_EAGER = True
    return tmp_path


def _post(client, **data):
    return client.post("/api/imports/", data)


def test_a_clerk_imports_a_file_and_follows_it_to_the_end(client_for, data_dir):
    client = client_for(roles.CLERK)
    response = _post(client, file=_file(_csv(GOOD)))
    assert response.status_code == 202, response.content
    started = response.json()
    assert response["Location"] == f"/api/imports/{started['id']}/"
    state = client.get(response["Location"]).json()
    assert (state["status"], state["outcome"], state["name"]) == ("done", "imported", "people.csv")
    assert state["result"]["persons_created"] == 2 and state["errors"] == []
    assert (state["attempt"], state["max_attempts"]) == (1, 3)
    assert Person.objects.count() == 2
    # Audited as the web import is, as coming from the API.
    entry = AuditEntry.objects.get(object_type="import")
    assert entry.actor.role == roles.CLERK and entry.channel == "api"
    assert (
        AuditEntry.objects.filter(object_type="person", action="create", channel="api").count() == 2
    )


def test_row_errors_come_back_as_json_with_row_and_field_and_nothing_lands(client_for):
    client = client_for(roles.CLERK)
    bad = [[*GOOD[0][:7], "2013-02-30", *GOOD[0][8:]], [*GOOD[1][:6], "Q", *GOOD[1][7:]]]
    job_id = _post(client, file=_file(_csv(bad))).json()["id"]
    state = client.get(f"/api/imports/{job_id}/").json()
    assert state["outcome"] == "refused" and state["errors_total"] == 2
    assert [(e["row"], e["field"], e["value"]) for e in state["errors"]] == [
        (2, "birth_date", "2013-02-30"),
        (3, "sex", "Q"),
    ]
    assert "not a sex code" in state["errors"][1]["message"]
    assert Person.objects.count() == 0
    # The values shown are the file's (personal data): the read is audited.
    assert AuditEntry.objects.filter(
        action="view", object_type="import", object_id=job_id, channel="api"
    ).exists()


def test_a_dry_run_checks_and_writes_nothing(client_for):
    client = client_for(roles.DATA_MANAGER)
    state = _post(client, file=_file(_csv(GOOD)), dry_run="true").json()
    assert (state["status"], state["outcome"], state["dry_run"]) == ("done", "checked", True)
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    "upload, message",
    [
        (None, "No file"),
        (_file(_csv(GOOD), name="people.pdf"), "Not a CSV or XLSX file"),
        (_file(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", name="people.csv"), "UTF"),
        (_file(b"person_id;nom\nP1;Ali\n", name="people.csv"), "missing column"),
        (_file(_csv([]), name="people.csv"), "no person"),
        (_file(b"", name="people.csv"), "empty"),
        (_file(b"PK\x03\x04 not really a spreadsheet", name="people.xlsx"), "XLSX"),
    ],
)
def test_bad_input_is_refused_naming_the_file_and_nothing_is_kept(
    client_for, data_dir, upload, message
):
    client = client_for(roles.CLERK)
    response = _post(client, **({"file": upload} if upload else {}), dry_run="false")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == "Invalid input." and message in " ".join(body["fields"]["file"])
    assert not Job.objects.exists()
    uploads = data_dir / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


def test_an_oversized_file_is_refused_before_it_is_kept(client_for, settings, data_dir):
    settings.ONWARD_IMPORT_MAX_BYTES = 50
    response = _post(client_for(roles.CLERK), file=_file(_csv(GOOD)))
    assert response.status_code == 400
    assert "over the import limit" in response.json()["fields"]["file"][0]
    assert not Job.objects.exists()


def test_json_is_not_an_upload(client_for):
    response = client_for(roles.CLERK).post(
        "/api/imports/", {"file": "x"}, content_type="application/json"
    )
    assert response.status_code == 415 and "error" in response.json()


def test_an_import_is_its_creators_and_an_outsider_gets_the_404_of_a_missing_one(client_for, users):
    owner = client_for(roles.DATA_MANAGER)
    job_id = _post(owner, file=_file(_csv(GOOD)), dry_run="true").json()["id"]
    clerk = client_for(roles.CLERK)
    theirs = clerk.get(f"/api/imports/{job_id}/")
    nobody = "00000000-0000-0000-0000-000000000000"
    missing = clerk.get(f"/api/imports/{nobody}/")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == {"error": f"No import {job_id}."}
    assert missing.json() == {"error": f"No import {nobody}."}
    assert AuditEntry.objects.filter(
        action="denied", object_type="import", object_id=job_id, actor=users[roles.CLERK]
    ).exists()
    assert client_for(roles.ADMIN).get(f"/api/imports/{job_id}/").status_code == 200
    assert client_for(roles.PROTECTION).get(f"/api/imports/{job_id}/").status_code == 403


def test_a_page_of_errors_out_of_bounds_is_a_400_and_pages_past_the_end_are_empty(client_for):
    client = client_for(roles.CLERK)
    job_id = _post(client, file=_file(_csv([[*GOOD[0][:6], "Q", *GOOD[0][7:]]]))).json()["id"]
    assert client.get(f"/api/imports/{job_id}/", {"errors_page": "0"}).status_code == 400
    assert client.get(f"/api/imports/{job_id}/", {"errors_page": "abc"}).status_code == 400
    later = client.get(f"/api/imports/{job_id}/", {"errors_page": "2"}).json()
    assert later["errors"] == [] and later["errors_total"] == 1
