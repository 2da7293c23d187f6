"""The person import in the REST API: the same all-or-nothing import as the Import page and
`onward import`, run as a background job. Thin: the work is in registry/jobs.py and
importing/; access as on the page (registry.import; an import is its creator's, and
administrators' and data managers')."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from onward.accounts.policy import require
from onward.jobs.models import Job
from onward.registry.jobs import (
    get_import_for_user,
    import_error_count,
    import_error_rows,
    import_start,
    import_upload_check,
)

PERMISSION = "registry.import"
ERRORS_PAGE = 100


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """A file sent as a multipart part (the schema says binary, not a URI)."""


class ImportIn(serializers.Serializer):
    file = UploadField(
        help_text="The person file: CSV (UTF-8) or XLSX, the columns of docs/import-export.md.",
        error_messages={
            "required": "No file: send the person file (CSV UTF-8 or XLSX) as "
            "the form field 'file'."
        },
    )
    dry_run = serializers.BooleanField(default=False, help_text="Check every row, write nothing.")


class ImportQuery(serializers.Serializer):
    errors_page = serializers.IntegerField(
        min_value=1,
        max_value=1_000_000,
        default=1,
        help_text=f"Which page of the row errors ({ERRORS_PAGE} a page).",
    )


class ImportErrorOut(serializers.Serializer):
    row = serializers.IntegerField(
        help_text="The file's row (the header is row 1); 0: the file as a whole."
    )
    field = serializers.CharField(help_text="The column at fault; empty for the whole file.")
    value = serializers.CharField(help_text="The value the file has there.")
    message = serializers.CharField(
        help_text="What is wrong, in the language of the request (Accept-Language or the "
        "user's choice) when the report knows its code; else in English."
    )
    code = serializers.CharField(
        allow_blank=True,
        help_text="The message's code (stable across languages and rewordings), e.g. "
        "'birth_date.future'; empty for a message without one.",
    )


class ImportResultOut(serializers.Serializer):
    rows = serializers.IntegerField()
    cases_created = serializers.IntegerField()
    persons_created = serializers.IntegerField()
    persons_updated = serializers.IntegerField()
    persons_unchanged = serializers.IntegerField()
    errors = serializers.IntegerField()


class AttemptOut(serializers.Serializer):
    attempt = serializers.IntegerField()
    outcome = serializers.CharField(help_text="Why the attempt ended, e.g. the worker stopped.")
    then = serializers.CharField(help_text="queued again, or failed")


class ImportOut(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.CharField(help_text="This import's page in the web application.")
    name = serializers.CharField(help_text="The uploaded file's name.")
    dry_run = serializers.BooleanField()
    status = serializers.ChoiceField(choices=Job.Status.choices)
    outcome = serializers.ChoiceField(
        choices=["imported", "checked", "refused"],
        allow_null=True,
        help_text="Once done: imported (every row landed), checked (a dry run without "
        "error) or refused (errors: nothing was changed). Null until then.",
    )
    progress = serializers.IntegerField()
    total = serializers.IntegerField(allow_null=True)
    percent = serializers.IntegerField(allow_null=True)
    message = serializers.CharField(allow_blank=True)
    error = serializers.CharField(
        allow_blank=True, help_text="Why the job failed (not the file's errors)."
    )
    attempt = serializers.IntegerField(
        help_text="Attempts started (a worker that died during one makes another)."
    )
    max_attempts = serializers.IntegerField()
    history = AttemptOut(many=True, help_text="The attempts whose worker stopped.")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    result = ImportResultOut(allow_null=True)
    errors = ImportErrorOut(many=True, help_text="The row errors, one page of them.")
    errors_total = serializers.IntegerField()
    errors_page = serializers.IntegerField()


def _outcome(job: Job, result: dict) -> str | None:
    if job.status != Job.Status.DONE:
        return None
    if result.get("applied"):
        return "imported"
    return "refused" if result.get("errors") else "checked"


def _state(request, job: Job, page: int = 1) -> dict:
    result = job.result if job.status == Job.Status.DONE else {}
    start = (page - 1) * ERRORS_PAGE
    rows = import_error_rows(actor=request.user, job=job, start=start, stop=start + ERRORS_PAGE)
    return {
        "id": job.pk,
        "url": reverse("import_detail", kwargs={"job_id": job.pk}),
        "name": job.params.get("name", ""),
        "dry_run": bool(job.params.get("dry_run")),
        "status": job.status,
        "outcome": _outcome(job, result),
        "progress": job.progress,
        "total": job.total,
        "percent": job.percent,
        "message": job.shown_message,
        "error": job.error,
        "attempt": job.attempts,
        "max_attempts": job.max_attempts,
        "history": [
            {
                "attempt": e.get("attempt", 0),
                "outcome": e.get("outcome", ""),
                "then": e.get("then", ""),
            }
            for e in job.history
        ],
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "result": {k: result.get(k, 0) for k in ImportResultOut().fields} if result else None,
        "errors": [
            {
                "row": int(r[0]) if r[0].isdigit() else 0,
                "field": r[1],
                "value": r[2],
                "message": r[3],
                "code": r[4],
            }
            for r in rows
        ],
        "errors_total": import_error_count(job),
        "errors_page": page,
    }


class ImportListApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ImportIn},
        responses={202: ImportOut},
        summary="Import a person file (all or nothing), as a background job",
    )
    def post(self, request):
        """Checks the file's header at once (a file that cannot be a person file is
        refused here, and nothing is kept), then queues the import. Follow its progress
        and its row errors at the returned import."""
        require(request.user, PERMISSION)
        body = ImportIn(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        import_upload_check(upload)
        job = import_start(
            actor=request.user, upload=upload, dry_run=body.validated_data["dry_run"]
        )
        job.refresh_from_db()
        location = reverse("api_import_detail", kwargs={"import_id": job.pk})
        return Response(
            _state(request, job), status=status.HTTP_202_ACCEPTED, headers={"Location": location}
        )


class ImportDetailApi(APIView):
    @extend_schema(
        parameters=[ImportQuery],
        responses=ImportOut,
        summary="An import: its status, progress and row errors",
    )
    def get(self, request, import_id):
        require(request.user, PERMISSION)
        query = ImportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        job = get_import_for_user(request.user, import_id)  # NotFound: 404, audited
        return Response(_state(request, job, query.validated_data["errors_page"]))
