from django.urls import reverse

from onward.conftest import principal_data
from onward.registry import services
from onward.web.tests.matrix import Row, outcome


def world(users) -> dict:
    from onward.accounts import roles
    from onward.jobs.models import Job

    case = services.case_create(actor=users[roles.CLERK], principal=principal_data())
    job = Job.objects.create(
        kind="import",
        created_by=users[roles.CLERK],
        status="done",
        params={"name": "people.csv", "stored": "x-people.csv"},
        result={"rows": 1, "errors": 0, "applied": True},
    )
    # Out of the clerk's scope: an import is its creator's (and A's and DM's).
    theirs = Job.objects.create(
        kind="import",
        created_by=users[roles.DATA_MANAGER],
        status="done",
        params={"name": "dm.csv", "stored": "x-dm.csv"},
        result={"rows": 1, "errors": 0, "applied": True},
    )
    person = case.members.get().person_id
    # For removal: a member who may be removed, and a removed case (with its principal).
    member = services.person_add(
        actor=users[roles.CLERK],
        case=case,
        person=principal_data(given_name="Sara", relationship="child", document_number=""),
    )
    removed = services.case_create(
        actor=users[roles.CLERK], principal=principal_data(given_name="Reza")
    )
    services.case_remove(
        actor=users[roles.ADMIN], case=removed, expected_version=1, reason="registered in error"
    )
    return {
        "case": case.case_id,
        "person": person,
        "import": job.pk,
        "their_import": theirs.pk,
        "member": member.person_id,
        "removed_case": removed.case_id,
        "removed_person": removed.members.get().person_id,
    }


READERS = dict(DL=403)
EDITORS = dict(RS=403, DL=403, AU=403)
CREATORS = dict(PR=403, RS=403, DL=403, AU=403)
IMPORTERS = dict(PR=403, RS=403, DL=403, AU=403)  # registry.import: A, DM, CL
REMOVERS = dict(A=302, DM=302)  # registry.remove


def _p(name):
    return lambda w: reverse(name, kwargs={"person_id": w["person"]})


def _i(name):
    return lambda w: reverse(name, kwargs={"job_id": w["import"]})


def _upload_refused():
    """A multipart upload refused before anything is stored (not CSV or XLSX): the role
    passed the check when the answer is the 400 that names the file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        "file": SimpleUploadedFile("people.txt", b"person_id\n", content_type="text/plain"),
        "dry_run": "true",
    }


def _c(name):
    return lambda w: reverse(name, kwargs={"case_id": w["case"]})


ROWS = [
    Row("person_list", lambda w: reverse("person_list"), outcome(200, **READERS)),
    # Exact document number or phone: a POST (the identifier never in a URL).
    Row("person_lookup", lambda w: reverse("person_lookup"), outcome(200, **READERS)),
    Row(
        "person_lookup",
        lambda w: reverse("person_lookup"),
        outcome(200, **READERS),
        method="post",
        body={"identifier": "X1234567"},
    ),
    Row("person_detail", _p("person_detail"), outcome(200, **READERS)),
    Row("person_edit", _p("person_edit"), outcome(200, **EDITORS)),
    Row("case_list", lambda w: reverse("case_list"), outcome(200, **READERS)),
    Row("case_create", lambda w: reverse("case_create"), outcome(200, **CREATORS)),
    Row("case_detail", _c("case_detail"), outcome(200, **READERS)),
    Row("case_edit", _c("case_edit"), outcome(200, **EDITORS)),
    Row("member_add", _c("member_add"), outcome(200, **CREATORS)),
    Row(
        "note_add",
        _c("note_add"),
        outcome(302, DL=403, AU=403),
        method="post",
        body={"text": "seen at the clinic", "kind": "general"},
    ),
    Row(
        "person_remove",
        lambda w: reverse("person_remove", args=[w["member"]]),
        outcome(403, **REMOVERS),
        method="post",
        body={"version": 1, "reason": "in error"},
    ),
    Row(
        "person_restore",
        lambda w: reverse("person_restore", args=[w["removed_person"]]),
        outcome(403, **REMOVERS),
        method="post",
        body={"version": 2},
    ),
    Row(
        "case_remove",
        _c("case_remove"),
        outcome(403, **REMOVERS),
        method="post",
        body={"version": 1, "reason": "in error"},
    ),
    Row(
        "case_restore",
        lambda w: reverse("case_restore", args=[w["removed_case"]]),
        outcome(403, **REMOVERS),
        method="post",
        body={"version": 2},
    ),
    # Removed records stay readable on their own pages, by whoever may read the registry.
    Row(
        "person_detail",
        lambda w: reverse("person_detail", args=[w["removed_person"]]),
        outcome(200, **READERS),
    ),
    Row(
        "case_detail",
        lambda w: reverse("case_detail", args=[w["removed_case"]]),
        outcome(200, **READERS),
    ),
    Row("person_export", lambda w: reverse("person_export"), outcome(403, A=200, DM=200)),
    Row("case_export", lambda w: reverse("case_export"), outcome(403, A=200, DM=200)),
    Row("import_list", lambda w: reverse("import_list"), outcome(200, **IMPORTERS)),
    # A post without a file: the form is shown again with its error.
    Row(
        "import_list",
        lambda w: reverse("import_list"),
        outcome(200, **IMPORTERS),
        method="post",
        body={},
    ),
    # The import job is the clerk's; administrators and data managers see every job.
    Row("import_detail", _i("import_detail"), outcome(200, **IMPORTERS)),
    Row("import_errors", _i("import_errors"), outcome(200, **IMPORTERS)),
    Row("import_assigned", _i("import_assigned"), outcome(200, **IMPORTERS)),
    # The blank template and the code lists: files of the product, no record named.
    Row(
        "import_template_file",
        lambda w: reverse("import_template_file", args=["template.xlsx"]),
        outcome(200, **IMPORTERS),
        outside=None,
    ),
    Row(
        "import_detail",
        lambda w: reverse("import_detail", args=[w["their_import"]]),
        outcome(200, CL=404, **IMPORTERS),
    ),
    Row(
        "api_import_list",
        lambda w: reverse("api_import_list"),
        outcome(400, anon=403, **IMPORTERS),
        method="post",
        body=_upload_refused,
        form=True,
    ),
    Row(
        "api_import_detail",
        lambda w: reverse("api_import_detail", args=[w["import"]]),
        outcome(200, anon=403, **IMPORTERS),
    ),
    Row(
        "api_import_detail",
        lambda w: reverse("api_import_detail", args=[w["their_import"]]),
        outcome(200, anon=403, CL=404, **IMPORTERS),
    ),
    Row("api_person_list", lambda w: reverse("api_person_list"), outcome(200, anon=403, DL=403)),
    Row(
        "api_person_lookup",
        lambda w: reverse("api_person_lookup"),
        outcome(200, anon=403, DL=403),
        method="post",
        body={"document_number": "X1234567"},
    ),
    Row("api_person_detail", _p("api_person_detail"), outcome(200, anon=403, DL=403)),
    Row(
        "api_person_detail",
        _p("api_person_detail"),
        outcome(200, anon=403, RS=403, AU=403, DL=403),
        method="patch",
        body={"phone": "+964 770 123 4567", "version": 1},
    ),
    Row("api_case_list", lambda w: reverse("api_case_list"), outcome(200, anon=403, DL=403)),
    Row(
        "api_case_list",
        lambda w: reverse("api_case_list"),
        outcome(201, anon=403, PR=403, RS=403, AU=403, DL=403),
        method="post",
        body={"principal": {"given_name": "Ali", "family_name": "Ahmadi", "sex": "M"}},
    ),
    Row("api_case_detail", _c("api_case_detail"), outcome(200, anon=403, DL=403)),
    Row(
        "api_case_members",
        _c("api_case_members"),
        outcome(201, anon=403, PR=403, RS=403, AU=403, DL=403),
        method="post",
        body={"given_name": "Sara", "relationship": "child", "sex": "F"},
    ),
]
