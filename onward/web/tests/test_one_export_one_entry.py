"""Every export is one audit entry: the export's own, naming what left (and for a list,
its filters), with no list "view" entry beside it that an auditor would count twice."""

import pytest
from django.core.management import call_command

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.movements import services as movements
from onward.movements.tests.factories import TRANSFER_DAY
from onward.relocation.models import State
from onward.relocation.tests.factories import bring_to, pledge

pytestmark = pytest.mark.django_db

LIST_EXPORTS = [
    "/persons/export/?format=csv",
    "/persons/export/?format=xlsx&q=Mohammad",
    "/persons/export/?format=hxl&pseudonymise=1",
    "/cases/export/?format=csv",
    "/cases/export/?format=xlsx&status=registered",
]
REPORT_EXPORTS = ["/reports/situation.pdf", "/reports/situation.xlsx"]


def _entries_of(client, url) -> list[tuple[str, str]]:
    before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.get(url)
    assert response.status_code == 200, url
    if response.streaming:
        b"".join(response.streaming_content)
    return list(
        AuditEntry.objects.filter(id__gt=before).order_by("id").values_list("action", "object_type")
    )


@pytest.mark.parametrize("url", LIST_EXPORTS + REPORT_EXPORTS)
def test_a_web_export_writes_one_entry(client_for, case, url):
    client = client_for(roles.DATA_MANAGER)
    entries = _entries_of(client, url)
    assert len(entries) == 1 and entries[0][0] == "export", entries


def test_a_manifest_export_writes_one_entry(client_for, users, case):
    rs = users[roles.RESETTLEMENT]
    albania = pledge(users)
    bring_to(users, case, State.READY, pledge_=albania)
    transfer = movements.transfer_plan(actor=rs, pledge=albania, date=TRANSFER_DAY, seats=10)
    movements.transfer_case_add(actor=rs, transfer=transfer, case=case)
    client = client_for(roles.RESETTLEMENT)
    for fmt in ("csv", "pdf"):
        assert _entries_of(client, f"/transfers/{transfer.pk}/manifest.{fmt}") == [
            ("export", "transfer")
        ]


def test_a_command_line_export_writes_one_entry(users, case, tmp_path):
    before = AuditEntry.objects.count()
    call_command("export", out=str(tmp_path / "p.csv"), user="t_datamanager", q="Mohammad")
    entries = list(AuditEntry.objects.order_by("id").values_list("action", "object_type")[before:])
    assert entries == [("export", "person_list")]
    assert AuditEntry.objects.latest("id").changes["filters"] == {"q": "Mohammad"}


def test_a_list_page_is_still_audited_as_a_view(client_for, case):
    """The list pages keep their own entry: only the export stopped writing a second."""
    client = client_for(roles.DATA_MANAGER)
    assert _entries_of(client, "/persons/?q=Mohammad") == [("view", "person_list")]
