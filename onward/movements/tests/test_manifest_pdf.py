"""The manifest PDF, downloaded as a resettlement officer would: names registered in
Arabic script (Persian letters included) print in embedded fonts and read back whole, in
reading order, each in its row beside the person's id."""

import pytest
from django.urls import reverse

from onward.accounts import roles
from onward.conftest import principal_data
from onward.movements import services
from onward.movements.manifest import manifest_pdf_bytes
from onward.movements.selectors import manifest_rows
from onward.movements.tests.factories import TRANSFER_DAY
from onward.pdf.tests.reading import embedded, font_names, logical_text, page_lines
from onward.registry import services as registry
from onward.relocation.models import State
from onward.relocation.tests.factories import bring_to, pledge

pytestmark = pytest.mark.django_db

FAMILY = [  # (given, family, father, relationship)
    ("زهرا", "غفارزاده", "محمد", "principal"),
    ("ژیلا", "پورچگینی", "کیومرث", "spouse"),  # پ چ ژ گ ک ی, and the ligature of final کی
    ("Ali", "Ghaffarzadeh", "Jalal", "child"),
    ("عبدالله", "علاءالدین", "جلال", "child"),  # لا, and ء
]


@pytest.fixture
def transfer(users):
    clerk, rs = users[roles.CLERK], users[roles.RESETTLEMENT]
    albania = pledge(users)
    given, family, father, _ = FAMILY[0]
    case = registry.case_create(
        actor=clerk,
        principal=principal_data(given_name=given, family_name=family, father_name=father, sex="F"),
    )
    for given, family, father, relationship in FAMILY[1:]:
        registry.person_add(
            actor=clerk,
            case=case,
            person=principal_data(
                given_name=given,
                family_name=family,
                father_name=father,
                relationship=relationship,
                birth_date="2001",
                document_number="",
            ),
        )
    bring_to(users, case, State.READY, pledge_=albania)
    transfer = services.transfer_plan(actor=rs, pledge=albania, date=TRANSFER_DAY, seats=10)
    services.transfer_case_add(actor=rs, transfer=transfer, case=case)
    return transfer


def test_the_manifest_prints_every_name_in_its_script_and_reads_back(client, users, transfer):
    client.force_login(users[roles.RESETTLEMENT])
    response = client.get(reverse("manifest_pdf", args=[transfer.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    text = logical_text(pdf)
    words = set(text.split())
    for given, family, father, _ in FAMILY:
        assert {given, family, father} <= words
    assert "Transfer manifest no." in text and "Boarded" in text
    names = font_names(pdf)
    assert embedded(pdf) and "IBMPlexSansArabic" in names
    assert not any(n.startswith("Helvetica") for n in names)


def test_each_row_keeps_its_person_beside_their_names(users, transfer):
    """The page read as rows: text lines grouped by their height on the page, each in
    reading order, the cells from left to right."""
    rows = manifest_rows(transfer)
    groups: list[list] = []  # lines whose tops are within 4 pt: one row of the table
    for page in page_lines(manifest_pdf_bytes(transfer, rows)):
        for top, left, text in page:
            if not groups or abs(top - groups[-1][0]) > 4:
                groups.append([top])
            groups[-1].append((left, text))
    printed = [[t for _, t in sorted(cells[1:])] for cells in groups]
    for r in rows:
        row = next(p for p in printed if r["person_id"] in p)
        # left to right: person id, then family, given and father's names, in their columns
        i = row.index(r["person_id"])
        assert row[i + 2 : i + 5] == [r["family_name"], r["given_name"], r["father_name"]]
