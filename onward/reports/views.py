"""Report pages. Thin: parse the date and filters, ask figures/records/export, render."""

import csv
import datetime as dt
import functools
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from onward import bounds, numerals
from onward.accounts import policy
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record, audit_records
from onward.incidents.selectors import RULES
from onward.reports import export, figures_cache
from onward.reports import figures as F
from onward.reports import records as R
from onward.web.access import permission_required


def opening_date() -> dt.date:
    """The date the dashboard opens on when none is asked: ONWARD_REPORTS_AS_OF (the demo
    sets the reference operation's date, where its history shows) or today."""
    from django.conf import settings

    today = timezone.localdate()
    chosen = getattr(settings, "ONWARD_REPORTS_AS_OF", None)
    return chosen if chosen and chosen <= today else today


class BadDate(Exception):
    """An `as_of` that is no date or outside the report dates (onward/bounds.py)."""


def _as_of(request, default: dt.date | None = None, *, strict: bool = False) -> dt.date:
    """The date asked. A page says what was wrong and shows today; a download (`strict`)
    is refused with 400, so that no file carries another date than the one asked."""
    raw = request.GET.get("as_of", "").strip()
    today = timezone.localdate()
    if not raw:
        return default or today
    try:
        return bounds.parse_date(raw)
    except ValueError as exc:
        if strict:
            raise BadDate(str(exc)) from None
        messages.warning(request, _("%(error)s Showing today.") % {"error": exc})
        return today


def _refuses_bad_date(view):
    """A download asked for a bad date answers 400 with the reason, as plain text."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadDate as exc:
            return HttpResponseBadRequest(
                f"as_of: {exc}\n", content_type="text/plain; charset=utf-8"
            )

    return wrapped


def _rule(request) -> str:
    rule = request.GET.get("rule", "latest_official")
    return rule if rule in RULES else "latest_official"


def _chart_payload(t: F.Table) -> dict:
    """What charts.js draws: labels, one series per value column, and the unit."""
    cols = [j for j, k in enumerate(t.kinds) if k == "count"]
    if t.key == "pledge_use":
        cols = [3]
    # A hidden bar is drawn as hidden (hatched, marked), a hidden point as a gap in the
    # line: its value never reaches the page.
    gap = None if t.chart == "line" else 0
    series = [
        {
            "label": t.columns[j + 1],
            "data": [gap if r.suppressed[j] else r.values[j] for r in t.rows],
            "hidden": [k for k, r in enumerate(t.rows) if r.suppressed[j]],
        }
        for j in cols
    ]
    if t.chart == "range":
        series = [
            {
                "label": {
                    "killed": _("Killed (range across claims)"),
                    "injured": _("Injured (range across claims)"),
                }[name],
                "data": [list(r[name]) if r[name][0] is not None else None for r in t.ranges],
            }
            for name in ("killed", "injured")
        ]
    if t.key == "pledge_use":
        series.insert(0, {"label": _("Capacity"), "data": [r.values[0] for r in t.rows]})
    return {
        "key": t.key,
        "type": t.chart,
        # As the table shows them ({% translate row.label %}): a code stays as it is.
        "labels": [r.label if r.code else _(r.label) for r in t.rows],
        "series": series,
        "title": t.title,
        "mark": F.HIDDEN,
    }


def _cell_html(text: str, hidden: bool, url: str, hidden_title: str) -> str:
    """One figure's <td>, linked to its records when it has any: built here because the
    template's tags for each of the page's 500-odd cells were a third of its rendering."""
    shown = text if numerals.current().digits == numerals.LATIN else numerals.to_digits(text)
    if url and text not in ("0", "—"):
        shown = format_html('<a href="{}">{}</a>', url, shown)
    if hidden:
        return format_html('<td class="num hidden-cell" title="{}">{}</td>', hidden_title, shown)
    return format_html('<td class="num">{}</td>', shown)


def _record_url(trace: dict | None, on: dt.date) -> str:
    if not trace:
        return ""
    params = {"as_of": str(on), **{k: v for k, v in trace.items()}}
    return f"{_records_path()}?{urlencode(params)}"


@functools.cache
def _records_path() -> str:
    """The records page's path, reversed once: the dashboard links every one of its 500-odd
    cells there, and reversing each was a fifth of the page's time."""
    return reverse("report_records")


def _row(r, on, hidden_title) -> dict:
    """A table row as the page shows it: its cells' texts (what the tests read) and their
    HTML, built here rather than through template tags (500-odd cells a page)."""
    texts = [F.cell_text(r, j) for j in range(len(r.values))]
    cells = "".join(
        _cell_html(
            text,
            r.suppressed[j],
            "" if r.suppressed[j] else _record_url(r.traces[j], on),
            hidden_title,
        )
        for j, text in enumerate(texts)
    )
    return {"label": r.label, "code": r.code, "texts": texts, "cells": mark_safe(cells)}


def _sections(user, on: dt.date, rule: str) -> list[dict]:
    hidden_title = _("hidden to protect small numbers")
    sections: list[dict] = []
    for t in F.report_tables(user, on, rule=rule):
        shown = {
            "t": t,
            "chart": _chart_payload(t) if t.chart != "none" else None,
            "hidden": any(any(r.suppressed) for r in t.rows) or t.total_suppressed,
            "rows": [_row(r, on, hidden_title) for r in t.rows],
        }
        if not sections or sections[-1]["key"] != t.section:
            sections.append(
                {"key": t.section, "title": F.SECTION_TITLES.get(t.section, ""), "tables": []}
            )
        sections[-1]["tables"].append(shown)
    return sections


@require_safe
@permission_required("reports.view")
def dashboard(request):
    on = _as_of(request, default=opening_date())
    rule = _rule(request)
    # The sections as shown (figures, their cells' HTML, the charts) are kept until a
    # record changes: in the reader's language and digits, which their key includes.
    sections, computed_at = figures_cache.kept(
        request.user, on, rule, lambda: _sections(request.user, on, rule)
    )
    delegation = F.is_delegation(request.user)
    return render(
        request,
        "reports/dashboard.html",
        {
            "on": on,
            "today": timezone.localdate(),
            "sections": sections,
            "rule": rule,
            "opened_on_default": not request.GET.get("as_of") and on != timezone.localdate(),
            "rules": RULES,
            "computed_at": computed_at,
            "delegation": delegation,
            "threshold": F.threshold(),
            "mark": F.HIDDEN,
            "rule_text": F.suppression_rule(F.threshold(), mark=False) if delegation else "",
        },
    )


@require_safe
@permission_required("reports.view")
def records(request):
    on = _as_of(request)
    figure = request.GET.get("figure", "")
    filters = {k: request.GET.get(k, "").strip() for k in R.FILTER_KEYS}
    try:
        kind, qs = R.records(user=request.user, figure=figure, on=on, filters=filters)
    except R.Unknown:
        policy.deny(request.user, "figure", figure, detail=f"as_of={on}")
        raise Http404("No such figure.") from None
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    if kind == "residents":
        # Who lives where and when they were last seen is personal data: each resident
        # shown is an audited read, beside the figure's own entry.
        audit_records(
            actor=request.user,
            entries=[(AuditEntry.Action.VIEW, "person", a.person.person_id) for a in page],
            detail=f"records behind {figure[:40]} as of {on}",
        )
    query = request.GET.copy()
    query.pop("page", None)
    try:
        incident_url = reverse("incident_detail", kwargs={"incident_id": 0})[:-2]
    except NoReverseMatch:
        incident_url = ""
    return render(
        request,
        "reports/records.html",
        {
            "on": on,
            "figure": figure,
            "kind": kind,
            "page": page,
            "query": query.urlencode(),
            "filters": {k: v for k, v in filters.items() if v},
            "back": f"{reverse('dashboard')}?as_of={on}",
            "incident_url": incident_url,
        },
    )


@require_safe
@permission_required("reports.view")
@_refuses_bad_date
def table_csv(request, key):
    on = _as_of(request, strict=True)
    section = F.table_section(key)
    tables = F.report_tables(request.user, on, rule=_rule(request), only=section) if section else []
    table = next((t for t in tables if t.key == key), None)
    if table is None:
        policy.deny(request.user, "figure", key, detail=f"csv as_of={on}")
        raise Http404("No such figure.")
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.EXPORT,
        object_type="figure",
        object_id=key,
        detail=f"csv as_of={on}",
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{key}-{on}.csv"'
    w = csv.writer(response)
    w.writerow([*table.columns, "as_of"])
    for row in table.rows:
        w.writerow(
            [
                row.label,
                *(F.cell_text(row, j).replace("—", "") for j in range(len(row.values))),
                str(on),
            ]
        )
    if F.is_delegation(request.user):
        w.writerow([])
        w.writerow([F.suppression_rule(F.threshold())])
    return response


def _report(request) -> export.Report:
    return export.situation_report(
        user=request.user,
        on=_as_of(request, strict=True),
        shared=request.GET.get("shared") == "1",
        rule=_rule(request),
    )


@require_safe
@permission_required("reports.view")
@_refuses_bad_date
def report_pdf(request):
    r = _report(request)
    response = HttpResponse(export.render_pdf(r), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="situation-report-{r.on}.pdf"'
    return response


@require_safe
@permission_required("reports.view")
@_refuses_bad_date
def report_xlsx(request):
    r = _report(request)
    response = HttpResponse(
        export.render_xlsx(r),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="situation-report-{r.on}.xlsx"'
    return response


def _scenarios_asked(request) -> tuple[list, list[str]]:
    """The scenarios in the query (`s`, kept), and the one being added by the form."""
    from onward.reports import forecast as fc

    texts = [t for t in request.GET.getlist("s") if t.strip()]
    kind = request.GET.get("kind", "")
    if kind == "pledge":
        texts.append(
            f"pledge:{request.GET.get('country', '')}:{request.GET.get('places', '')}"
            f":{request.GET.get('start', '')}"
        )
    elif kind == "stop":
        texts.append(f"stop:{request.GET.get('country', '')}")
    elif kind == "transfers":
        texts.append(f"transfers:{request.GET.get('factor', '')}")
    scenarios, errors = [], []
    for text in texts[:4]:  # four scenarios side by side at most: the chart stays readable
        try:
            scenarios.append(fc.parse_scenario(text))
        except fc.ForecastError as exc:
            errors.append(str(exc))
    return scenarios, errors


@require_safe
@permission_required("reports.view")
def forecast(request):
    from onward.reports import forecast as fc

    bounds = fc.history_bounds()
    # Opens on the reports' date, or the records' last date when that is earlier.
    on = _as_of(request, default=min(opening_date(), bounds[1]) if bounds else opening_date())
    scenarios, errors = _scenarios_asked(request)
    delegation = F.is_delegation(request.user)
    if not delegation and not policy.can(request.user, "registry.view"):
        policy.deny(request.user, "figure", "forecast")
        raise Http404("No such figure.")
    context = {
        "on": on,
        "today": timezone.localdate(),
        "errors": errors,
        "delegation": delegation,
        "kinds": fc.SCENARIOS,
    }
    try:
        shown = fc.forecast_for(request.user, on, [] if delegation else scenarios, runs=1000)
        context["backtest"] = None if delegation else fc.backtest_cached(on, runs=200)
    except fc.ForecastError as exc:
        context["errors"] = [*errors, str(exc)]
        return render(request, "reports/forecast.html", context, status=400)
    context["errors"] += shown.get("errors", [])
    context.update(
        shown=shown,
        kept=[fc.scenario_text(s) for s in shown.get("kept", [])],
        chart=_forecast_chart(shown),
        rows=_forecast_rows(shown),
    )
    return render(request, "reports/forecast.html", context)


def _forecast_chart(shown: dict) -> dict:
    if shown["delegation"]:
        return {
            "labels": shown["dates"],
            "curves": [
                {
                    "label": _("Pledge %(pledge)s: departed (median)") % {"pledge": pid},
                    "median": v["relocated_median"],
                }
                for pid, v in shown["pledges"].items()
            ],
        }
    return {
        "labels": shown["dates"],
        "curves": [
            {
                "label": c["label"],
                "median": c["forecast"]["median"],
                "p10": c["forecast"]["p10"],
                "p90": c["forecast"]["p90"],
            }
            for c in shown["curves"]
        ],
    }


def _forecast_rows(shown: dict) -> list[dict]:
    def staff(c, m):
        f = c["forecast"]
        return f"{f['median'][m]:.0f} ({f['p10'][m]:.0f}–{f['p90'][m]:.0f})"

    rows = []
    for m, day in enumerate(shown["dates"]):
        cells = (
            [f"{v['relocated_median'][m]:.0f}" for v in shown["pledges"].values()]
            if shown["delegation"]
            else [staff(c, m) for c in shown["curves"]]
        )
        rows.append({"date": day, "cells": cells})
    return rows
