"""Issue 22: an import's row errors are kept by code and parameters (the English text
beside them), and shown in the reader's language on the page and in the API, whatever
the language of the worker that wrote them; an older report (English text only) shows
as it was."""

import csv
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.html import escape

from onward.accounts import roles
from onward.jobs.models import Job
from onward.refusals import Refusal, render, render_stored
from onward.registry import validation
from onward.registry.importing import COLUMNS, reading
from onward.registry.jobs import errors_path

pytestmark = pytest.mark.django_db(transaction=True)

BAD = ",".join(COLUMNS) + "\nP1,C1,principal,Ali,,,Q,,,,,\n"


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.ONWARD_JOBS_EAGER = True


def _in(language, code, **params):
    with translation.override(language):
        return str(Refusal(code, **params))


def _upload(client, url="/imports/"):
    return client.post(
        url, {"file": SimpleUploadedFile("bad.csv", BAD.encode(), content_type="text/csv")}
    )


def test_a_refusal_is_told_in_the_active_language_and_kept_in_english():
    persian = _in("fa", validation.NOT_A_SEX, text="Q")
    english = _in("en", validation.NOT_A_SEX, text="Q")
    assert english == "'Q' is not a sex code: use M, F or X (or leave empty)."
    assert persian != english and any("\u0600" <= c <= "\u06ff" for c in persian)
    with translation.override("fa"):
        refusal = Refusal(validation.NOT_A_SEX, text="Q")
        assert refusal.english == english  # what a report stores, whoever wrote it
        assert isinstance(refusal, ValueError) and str(refusal) == persian


def test_an_unknown_code_or_unfit_parameters_show_the_stored_text():
    assert render("no.such.code", {}, "as stored") == "as stored"
    assert render_stored("", "", "as stored") == "as stored"
    assert render_stored(validation.NOT_A_SEX, "not json", "as stored") == "as stored"
    # Parameters that do not fit the message: the English message is not half-filled.
    assert render_stored(validation.NOT_A_SEX, '{"other": 1}', "as stored") == "as stored"


def test_the_report_keeps_the_code_the_parameters_and_the_english_text(client_for):
    client = client_for(roles.CLERK)
    with translation.override("fa"):  # the worker's language does not matter
        _upload(client)
    with open(errors_path(Job.objects.get()), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["row", "column", "value", "message", "code", "params"]
    row, column, value, message, code, params = rows[1]
    assert (row, column, value) == ("2", "sex", "Q")
    assert message == "'Q' is not a sex code: use M, F or X (or leave empty)."
    assert code == "sex.invalid" and json.loads(params) == {"text": "Q"}


def test_a_persian_reader_sees_the_row_error_in_persian_on_the_page(client_for, users):
    clerk = users[roles.CLERK]
    clerk.language = "fa"
    clerk.save(update_fields=["language"])
    client = client_for(roles.CLERK)
    response = _upload(client)
    page = client.get(response["Location"])
    assert page.status_code == 200
    persian = _in("fa", validation.NOT_A_SEX, text="Q")
    assert escape(persian) in page.content.decode()
    assert "is not a sex code" not in page.content.decode()


def test_the_api_answers_the_row_error_in_the_requested_language(client_for):
    client = client_for(roles.CLERK)
    created = _upload(client, "/api/imports/").json()
    url = f"/api/imports/{created['id']}/"
    for language in ("ar", "fa", "en"):
        (error,) = client.get(url, HTTP_ACCEPT_LANGUAGE=language).json()["errors"]
        assert error["code"] == "sex.invalid" and error["field"] == "sex"
        assert error["message"] == _in(language, validation.NOT_A_SEX, text="Q")


def test_an_older_report_without_codes_shows_its_english_text(client_for, users):
    clerk = users[roles.CLERK]
    clerk.language = "fa"
    clerk.save(update_fields=["language"])
    client = client_for(roles.CLERK)
    response = _upload(client)
    errors_path(Job.objects.get()).write_text(
        "row,column,value,message\n2,sex,Q,Old English text of the error.\n", encoding="utf-8"
    )
    page = client.get(response["Location"])
    assert "Old English text of the error." in page.content.decode()


def _refused_file(users, content: bytes, name="persons.csv"):
    """An import of a file refused as a whole (row 0), run by an English-speaking worker:
    the upload's own checks are passed by, as a file changed between them and the job."""
    from onward.registry.jobs import import_start

    with translation.override("en"):
        return import_start(
            actor=users[roles.CLERK], upload=SimpleUploadedFile(name, content, "text/csv")
        )


def test_a_file_level_refusal_is_kept_on_row_0_by_code(users):
    job = _refused_file(users, b"given_name,colour\nAli,red\n")
    with open(errors_path(job), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[1:]
    # Two problems of the header: two refusals, each by code, with its English text.
    assert [(r[0], r[4]) for r in rows] == [("0", "header.missing"), ("0", "header.unknown")]
    assert rows[0][3].startswith("The header row is not the person file's: missing column(s):")
    assert json.loads(rows[1][5])["listed"] == "colour"
    job.refresh_from_db()
    assert job.result["refused"].startswith("The header row is not the person file's")


@pytest.mark.parametrize(
    "content, code, params",
    [
        (b"", reading.EMPTY, {}),
        ("\ufeffperson_id".encode("utf-16"), reading.UTF16, {}),
        (",".join(COLUMNS).encode() + b"\n", reading.NO_PERSON, {}),
    ],
)
def test_a_persian_reader_sees_a_file_level_refusal_in_persian(
    client_for, users, content, code, params
):
    job = _refused_file(users, content)
    clerk = users[roles.CLERK]
    clerk.language = "fa"
    clerk.save(update_fields=["language"])
    page = client_for(roles.CLERK).get(f"/imports/{job.pk}/").content.decode()
    persian = _in("fa", code, **params)
    assert any("\u0600" <= c <= "\u06ff" for c in persian)
    assert escape(persian) in page
    with translation.override("en"):
        assert escape(str(Refusal(code, **params))) not in page


def test_a_header_refusal_reads_in_persian_with_its_parameters(client_for, users):
    job = _refused_file(users, b"given_name,colour\nAli,red\n")
    clerk = users[roles.CLERK]
    clerk.language = "fa"
    clerk.save(update_fields=["language"])
    page = client_for(roles.CLERK).get(f"/imports/{job.pk}/").content.decode()
    unknown = _in("fa", reading.HEADER_UNKNOWN, listed="colour", items=", ".join(COLUMNS))
    assert escape(unknown) in page
    assert "unknown column(s)" not in page
