"""Uploaded import files and their error reports hold personal data in clear: they are
removed once past ONWARD_UPLOAD_RETENTION_DAYS, by the worker's hourly chore or
`onward purge_uploads`, except those of an import not finished yet."""

import io
import os
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onward.audit.models import AuditEntry
from onward.jobs.models import Job
from onward.jobs.services import chores_run_due
from onward.registry.jobs import uploads_dir, uploads_purge

pytestmark = pytest.mark.django_db

DAY = 86400


@pytest.fixture
def uploads(settings, tmp_path, clerk):
    """Files of three ages: an old upload and its report, a recent upload, and an old
    upload whose import is still queued."""
    settings.DATA_DIR = tmp_path
    settings.ONWARD_UPLOAD_RETENTION_DAYS = 30
    queued = Job.objects.create(
        kind="import", created_by=clerk, params={"stored": "bbb-waiting.csv", "name": "waiting.csv"}
    )
    files = {
        "old": "aaa-people.csv",
        "old_report": "7-errors.csv",
        "recent": "ccc-new.csv",
        "queued": "bbb-waiting.csv",
        "queued_report": f"{queued.pk}-errors.csv",
    }
    ages = {"old": 31, "old_report": 31, "recent": 29, "queued": 40, "queued_report": 40}
    root = uploads_dir()
    for key, name in files.items():
        path = root / name
        path.write_text("given_name\nAli\n")
        then = time.time() - ages[key] * DAY
        os.utime(path, (then, then))
    return {key: root / name for key, name in files.items()}


def test_files_past_retention_are_removed_and_the_others_kept(uploads):
    removed = uploads_purge()
    assert sorted(removed) == sorted([uploads["old"], uploads["old_report"]])
    assert not uploads["old"].exists() and not uploads["old_report"].exists()
    assert all(uploads[k].exists() for k in ("recent", "queued", "queued_report"))
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PURGE)
    assert entry.detail == "2 uploaded file(s) and error report(s) older than 30 days removed"
    assert uploads_purge() == []  # again: nothing left to do, no second entry
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PURGE).count() == 1


def test_the_idle_worker_purges_as_a_chore(uploads):
    assert "uploads purge" in chores_run_due(print, now=time.monotonic() + 10**7)
    assert not uploads["old"].exists() and uploads["recent"].exists()


def test_the_command_takes_a_retention_and_refuses_a_bad_one(uploads):
    out = io.StringIO()
    call_command("purge_uploads", days=35, stdout=out)
    assert out.getvalue().strip() == "Removed 0 file(s) older than 35 days."
    call_command("purge_uploads", stdout=out)
    assert "Removed 2 file(s) older than 30 days." in out.getvalue()
    with pytest.raises(CommandError, match="--days must be a whole number of days"):
        call_command("purge_uploads", "--days", "0")
    assert uploads["recent"].exists()
