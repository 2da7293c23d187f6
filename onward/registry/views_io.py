"""Import and export pages. Thin: the work is in importing/, exporting.py and jobs.py."""

import io
import tempfile
from pathlib import Path

from django import forms
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from onward.accounts.policy import can
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.jobs.models import Job
from onward.registry import exporting, import_template
from onward.registry.importing import COLUMNS, FIRST_ASSIGNED, ErrorSink, max_bytes
from onward.registry.importing.writing import AssignedIds
from onward.registry.jobs import (
    assigned_path,
    errors_path,
    get_import_for_user,
    import_error_count,
    import_error_rows,
    import_start,
    size_refusal,
)
from onward.web.access import permission_required, record_or_404

ERRORS_PAGE = 100
ASSIGNED_PAGE = 100


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Person file (CSV UTF-8 or XLSX)"))
    dry_run = forms.BooleanField(label=_("Check only (dry run): change nothing"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if refusal := size_refusal(upload):
            raise forms.ValidationError(refusal)
        return upload


def _imports_for(user):
    jobs = Job.objects.filter(kind="import").select_related("created_by")
    if not can(user, "jobs.view_all"):
        jobs = jobs.filter(created_by=user)
    return jobs.order_by("-created_at")


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("registry.import")
def import_list(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_start(
            actor=request.user,
            upload=form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
        )
        return redirect("import_detail", job_id=job.pk)
    page = Paginator(_imports_for(request.user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/import_list.html",
        {
            "form": form,
            "page": page,
            "columns": COLUMNS,
            "limit_mb": round(max_bytes() / 2**20, 1),
            "help": [
                (
                    name,
                    gettext(import_template.HELP[name]) if import_template.HELP.get(name) else "",
                )
                for name in import_template.HEADER
            ],
        },
    )


_TEMPLATES = {
    "template.csv": ("onward-person-template.csv", "text/csv; charset=utf-8"),
    "codes.csv": ("onward-code-lists.csv", "text/csv; charset=utf-8"),
    "template.xlsx": ("onward-person-template.xlsx", exporting.content_type("xlsx")),
}


@require_safe
@permission_required("registry.import")
def import_template_file(request, template):
    """The blank person file and its code lists: no personal data, so no audit entry."""
    if template not in _TEMPLATES:
        raise Http404("No such template.")
    filename, content_type = _TEMPLATES[template]
    if template == "template.xlsx":
        out = io.BytesIO()
        import_template.template_xlsx(out)
        body = out.getvalue()
    else:
        body = (
            import_template.template_csv()
            if template == "template.csv"
            else import_template.codes_csv()
        )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _import_job(request, job_id) -> Job:
    return record_or_404(request, get_import_for_user, "import", job_id)


def _error_page(request, job, number):
    total = import_error_count(job)
    if not total or not errors_path(job).exists():
        return None
    page = Paginator(range(total), ERRORS_PAGE).get_page(number)
    start = (page.number - 1) * ERRORS_PAGE
    page.rows = import_error_rows(
        actor=request.user, job=job, start=start, stop=start + ERRORS_PAGE
    )
    return page


def _assigned_page(job, number):
    """The ids given to blank cells (row, person id, case id), a page of them."""
    first = (job.result or {}).get("first_assigned") or []
    if not first:
        return None
    page = Paginator(first, ASSIGNED_PAGE).get_page(number)
    page.total = (job.result or {}).get("assigned", len(first))
    page.more = page.total > len(first)
    return page


@require_safe
@permission_required("registry.import")
def import_detail(request, job_id):
    job = _import_job(request, job_id)
    return render(
        request,
        "registry/import_detail.html",
        {
            "job": job,
            "result": job.result or {},
            "errors": _error_page(request, job, request.GET.get("page")),
            "assigned": _assigned_page(job, request.GET.get("assigned_page")),
            "first_assigned_limit": FIRST_ASSIGNED,
        },
    )


@require_safe
@permission_required("registry.import")
def import_assigned(request, job_id):
    """Every id the import gave to a blank cell, as CSV (row, person_id, case_id)."""
    job = _import_job(request, job_id)
    path, result = assigned_path(job), job.result or {}
    return _import_csv(
        request,
        job,
        path,
        kept=path.exists() and bool(result.get("applied")),
        # An import that gave no id (or wrote nothing) has an empty list.
        lost=bool(result.get("applied") and result.get("assigned")),
        header=AssignedIds.HEADER,
        suffix="assigned-ids",
        what="list of assigned ids",
        detail="assigned ids",
    )


@require_safe
@permission_required("registry.import")
def import_errors(request, job_id):
    """The whole error report as CSV (row, column, value, message)."""
    job = _import_job(request, job_id)
    path = errors_path(job)
    return _import_csv(
        request,
        job,
        path,
        kept=path.exists(),
        # An import without error has an empty report.
        lost=bool((job.result or {}).get("errors")),
        header=ErrorSink.HEADER,
        suffix="errors",
        what="error report",
        detail="error report",
    )


def _import_csv(request, job, path, *, kept, lost, header, suffix, what, detail):
    """A CSV file an import wrote beside it, downloaded. Not kept: 404 if it had rows (it
    was purged), else the header alone. Kept: its rows hold the file's values (names,
    document numbers), so the download is an audited export."""
    filename = f"{Path(job.params.get('name', 'import')).stem}-{suffix}.csv"
    if not kept:
        if lost:
            raise Http404(f"This import's {what} is no longer kept.")
        response = HttpResponse(",".join(header) + "\r\n", content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.EXPORT,
        object_type="import",
        object_id=str(job.pk),
        detail=detail,
    )
    return FileResponse(
        open(path, "rb"),
        as_attachment=True,
        filename=filename,
        content_type="text/csv; charset=utf-8",
    )


PERSON_FILTERS = ("q", "sex", "nationality", "need", "age_band", "case_status")
CASE_FILTERS = ("q", "status", "need", "nationality")


def _export(request, kind: str, names):
    fmt = request.GET.get("format", "csv")
    if fmt not in exporting.FORMATS:
        raise Http404("No such format.")
    pseudonymise = request.GET.get("pseudonymise") in ("1", "on", "true")
    filters = {k: request.GET.get(k, "").strip() for k in names}
    export = exporting.export_build(
        user=request.user, kind=kind, filters=filters, pseudonymise=pseudonymise, fmt=fmt
    )
    name = exporting.filename(kind, fmt, pseudonymise)
    if fmt == "xlsx":
        # openpyxl writes to a file; a temporary one, removed once sent.
        tmp = tempfile.TemporaryFile(suffix=".xlsx")
        exporting.write_xlsx(export, tmp)
        tmp.seek(0)
        return FileResponse(
            tmp, as_attachment=True, filename=name, content_type=exporting.content_type(fmt)
        )
    response = StreamingHttpResponse(
        exporting.csv_lines(export, hxl=fmt == "hxl", bom=fmt == "csv"),
        content_type=exporting.content_type(fmt),
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
@permission_required("registry.export")
def person_export(request):
    return _export(request, "persons", PERSON_FILTERS)


@require_safe
@permission_required("registry.export")
def case_export(request):
    return _export(request, "cases", CASE_FILTERS)
