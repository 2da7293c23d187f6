"""Relocation figures as of a date, a delegation's scope (dashboard, record lists, CSV,
PDF, XLSX), small-number suppression, duplicates and incidents, and the command."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.dedup.models import DuplicatePair
from onward.incidents import services as incidents
from onward.relocation.selectors import funnel, pledge_figures
from onward.relocation.tests.factories import T0
from onward.reports import export
from onward.reports import figures as F
from onward.reports import records as R
from onward.reports.tests.helpers import table

DAY0 = T0.date()


def test_the_funnel_matches_relocation_and_its_records(world):
    dm = world["users"][roles.DATA_MANAGER]
    for on in (
        DAY0 - dt.timedelta(days=1),
        DAY0 + dt.timedelta(days=2),
        DAY0 + dt.timedelta(days=30),
    ):
        t = table(F.dashboard(dm, on, only="relocation"), "funnel_cases")
        for row in t.rows:
            for j, trace in enumerate(row.traces):
                _k, qs = R.records(
                    user=dm,
                    figure="funnel",
                    on=on,
                    filters={k: v for k, v in trace.items() if k != "figure"},
                )
                assert qs.count() == row.values[j], (on, row.label, trace)
        assert t.rows[0].values == [funnel(as_of=on)[s]["cases"] for s in F.STAGES]


def test_pledge_use_today_equals_pledge_figures_and_was_zero_before(world):
    for p in (world["alb"], world["fra"]):
        now, _ = F.pledge_use(p, dt.date.today())
        assert now == pledge_figures(p)
        before, _ = F.pledge_use(p, DAY0 - dt.timedelta(days=1))
        assert all(f["submitted"] == 0 and f["accepted"] == 0 for f in before.values())
    mid, _ = F.pledge_use(world["fra"], DAY0 + dt.timedelta(days=3))  # submitted day 3
    assert mid["persons"]["submitted"] == 4 and mid["persons"]["accepted"] == 0


def _all_text(tables) -> str:
    return " ".join(
        [
            t.key
            + " "
            + t.title
            + " "
            + " ".join(r.label + " " + " ".join(map(str, r.values)) for r in t.rows)
            for t in tables
        ]
    )


def test_a_delegation_sees_only_figures_about_its_own_submissions(world):
    dl = world["users"][roles.DELEGATION]
    on = DAY0 + dt.timedelta(days=30)
    tables = F.dashboard(dl, on)
    assert {t.section for t in tables} == {"submitted", "relocation", "waiting", "readiness"}
    text = _all_text(tables)
    assert "FRA" not in text and "All countries" not in text
    assert table(tables, "submitted_total").rows[0].values == [6]  # 2 + 3 + 1 submitted to ALB
    nat = {r.label: r.values[0] for r in table(tables, "submitted_by_nationality").rows}
    assert nat == {"IRN": 6}
    use = table(tables, "pledge_use")
    assert all(r.label.startswith("ALB") for r in use.rows)


@pytest.mark.parametrize(
    "figure,filters",
    [
        ("population", {}),
        ("departures", {}),
        ("duplicates", {"state": "found"}),
        ("incidents", {}),
        ("funnel", {"stage": "submitted", "country": "FRA"}),
        ("pledge_use", {"measure": "submitted", "pledge": "FRA"}),
    ],
)
def test_a_delegation_cannot_list_records_outside_its_scope(world, client, figure, filters):
    dl = world["users"][roles.DELEGATION]
    if filters.get("pledge") == "FRA":
        filters = {**filters, "pledge": str(world["fra"].pk)}
    with pytest.raises(R.Unknown):
        R.records(user=dl, figure=figure, on=dt.date.today(), filters=filters)
    client.force_login(dl)
    response = client.get(reverse("report_records"), {"figure": figure, **filters})
    assert response.status_code == 404
    assert AuditEntry.objects.filter(action="denied", object_type="figure").exists()


def test_a_delegations_record_lists_hold_its_submitted_cases_only(world, client):
    dl = world["users"][roles.DELEGATION]
    client.force_login(dl)
    response = client.get(
        reverse("report_records"),
        {"figure": "funnel", "stage": "submitted", "as_of": str(dt.date.today())},
    )
    html = response.content.decode()
    assert world["cases"]["a_sub"].case_id in html
    assert world["cases"]["f_acc"].case_id not in html
    response = client.get(
        reverse("report_records"), {"figure": "submitted", "as_of": str(dt.date.today())}
    )
    html = response.content.decode()
    assert "Zza_acc" in html and "Zzf_acc" not in html and "Zzidle" not in html
    entry = AuditEntry.objects.filter(actor=dl, object_type="figure").latest("id")
    assert entry.action == "view" and "as_of=" in entry.detail


def test_a_delegations_pdf_and_xlsx_hold_nothing_outside_its_scope(world):
    dl = world["users"][roles.DELEGATION]
    report = export.situation_report(user=dl, on=dt.date.today())
    assert report.shared
    pdf = PdfReader(io.BytesIO(export.render_pdf(report)))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "FRA" not in text and "Population by" not in text and "Incidents" not in text
    assert "sharing outside the operation" in text
    wb = load_workbook(io.BytesIO(export.render_xlsx(report)))
    cells = " ".join(
        str(c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    )
    assert "FRA" not in cells and "population_by_sex" not in wb.sheetnames


def test_the_shared_report_of_staff_is_suppressed_and_says_so(world):
    dm = world["users"][roles.DATA_MANAGER]
    plain = export.situation_report(user=dm, on=dt.date.today())
    shared = export.situation_report(user=dm, on=dt.date.today(), shared=True)
    assert not any(any(r.suppressed) for t in plain.tables for r in t.rows)
    assert any(any(r.suppressed) for t in shared.tables for r in t.rows)
    assert any("sharing outside" in line for line in export.header_lines(shared))


def test_duplicates_found_open_and_resolved_as_of_a_date(world):
    from django.utils import timezone

    persons = list(world["cases"]["a_sub"].members.order_by("pk"))
    pair = DuplicatePair.objects.create(
        person_a=persons[0], person_b=persons[1], probability=0.9, weight=3
    )
    DuplicatePair.objects.filter(pk=pair.pk).update(
        found_at=timezone.make_aware(dt.datetime(2013, 2, 1, 10)),
        status="different",
        decided_at=timezone.make_aware(dt.datetime(2013, 2, 10, 10)),
    )
    dm = world["users"][roles.DATA_MANAGER]

    def figures(on):
        return [
            r.values[0] for r in table(F.dashboard(dm, on, only="duplicates"), "duplicates").rows
        ]

    assert figures(dt.date(2013, 1, 31)) == [0, 0, 0]
    assert figures(dt.date(2013, 2, 5)) == [1, 1, 0]
    assert figures(dt.date(2013, 2, 10)) == [1, 0, 1]


def test_incident_figures_use_the_claims_stated_by_the_date(users):
    officer = users[roles.PROTECTION]
    incident = incidents.incident_create(
        actor=officer,
        data={"occurred_at": "2013-02-09 06:00", "type": "indirect_fire", "place": "Block D"},
    )
    incidents.claim_add(
        actor=officer,
        incident=incident,
        data={"source": "Ministry", "stated_on": "2013-02-09", "killed": 6, "official": True},
    )
    incidents.claim_add(
        actor=officer,
        incident=incident,
        data={"source": "Camp residents", "stated_on": "2013-02-12", "killed": 8},
    )
    dm = users[roles.DATA_MANAGER]
    early = table(F.dashboard(dm, dt.date(2013, 2, 10), only="incidents"), "incidents")
    late = table(
        F.dashboard(dm, dt.date(2013, 2, 20), only="incidents", rule="highest"), "incidents"
    )
    assert early.rows[0].values[:2] == [6, "6"]
    assert late.rows[0].values[:2] == [8, "6–8"]
    assert table(F.dashboard(dm, dt.date(2013, 2, 8), only="incidents"), "incidents").rows == []


def test_each_figure_downloads_as_csv_with_its_date(world, client):
    client.force_login(world["users"][roles.DATA_MANAGER])
    on = DAY0 + dt.timedelta(days=30)
    response = client.get(reverse("report_csv", args=["population_by_sex"]), {"as_of": str(on)})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "Sex,Persons,as_of" and lines[1].endswith(f",{on}")
    assert client.get(reverse("report_csv", args=["nonsense"])).status_code == 404
    client.force_login(world["users"][roles.DELEGATION])
    assert client.get(reverse("report_csv", args=["population_by_sex"])).status_code == 404
    assert client.get(reverse("report_csv", args=["submitted_by_sex"])).status_code == 200


def test_the_dashboard_says_its_date_and_links_each_figure(world, client):
    client.force_login(world["users"][roles.DATA_MANAGER])
    html = client.get(reverse("dashboard"), {"as_of": "2013-03-15"}).content.decode()
    assert "true for 2013-03-15" in html
    assert "/reports/records/?as_of=2013-03-15&amp;figure=population" in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "/reports/csv/population_by_sex/?as_of=2013-03-15" in html


def test_the_command_writes_a_pdf_stating_its_date_and_nothing_of_the_server(world, tmp_path):
    out, xlsx = tmp_path / "report.pdf", tmp_path / "report.xlsx"
    call_command("report", "--as-of", "2013-03-20", "--out", str(out), "--xlsx", str(xlsx))
    pdf = PdfReader(str(out))
    first = pdf.pages[0].extract_text()
    assert len(pdf.pages) >= 2
    assert "2013-03-20" in first and "Latest official" in first
    assert "database" not in first and "password" not in first.lower()
    assert "population_by_sex" in load_workbook(str(xlsx)).sheetnames
    assert AuditEntry.objects.filter(
        action="export", object_type="report", actor_name="command line"
    ).exists()


def test_the_command_within_a_delegations_scope(world, tmp_path):
    out = tmp_path / "dl.pdf"
    call_command(
        "report", "--as-of", str(dt.date.today()), "--out", str(out), "--user", "t_delegation"
    )
    text = " ".join(p.extract_text() for p in PdfReader(str(out)).pages)
    assert "delegation of ALB" in text and "FRA" not in text
