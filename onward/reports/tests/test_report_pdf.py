"""The situation report's PDF as a reader gets it: titled with the operation's name,
nothing of the server in it, names in Arabic script read back whole, fonts embedded,
column headings whole and no heading left alone at a page's foot."""

import datetime as dt
import io
import re

import pytest
from django.conf import settings
from django.test import override_settings
from pypdf import PdfReader

from onward.accounts import roles
from onward.incidents import services as incidents
from onward.pdf.tests.reading import embedded, font_names, logical_text, page_lines
from onward.relocation.tests.factories import bring_to, make_case, pledge
from onward.reports import export
from onward.reports import figures as F

pytestmark = pytest.mark.django_db

PLEDGE = "پذیرش گروهی کانادا"  # Persian: گ ی ک
PLACE = "اردوگاه لیبرتی، بلوک ژ"
SOURCES = ["خبرگزاری ایرنا", "وزارة الداخلية العراقية"]  # Persian, then Arabic


@pytest.fixture
def report(users):
    canada = pledge(users, country="CAN", persons=40, name=PLEDGE)
    for size, state in ((3, "accepted"), (2, "submitted")):
        bring_to(users, make_case(users, size=size, given_name="زهرا"), state, pledge_=canada)
    officer = users[roles.PROTECTION]
    incident = incidents.incident_create(
        actor=officer,
        data={"occurred_at": "2013-02-09 06:00", "type": "indirect_fire", "place": PLACE},
    )
    for source, killed in zip(SOURCES, (6, 8), strict=True):
        incidents.claim_add(
            actor=officer,
            incident=incident,
            data={"source": source, "stated_on": "2013-02-10", "killed": killed},
        )
    with override_settings(ONWARD_OPERATION_NAME="Camp Liberty"):
        r = export.situation_report(user=users[roles.DATA_MANAGER], on=dt.date(2013, 6, 1))
        return r, export.render_pdf(r)


def test_it_is_titled_with_the_operation_and_names_nothing_of_the_server(report):
    r, pdf = report
    text = logical_text(pdf)
    assert text.startswith("Camp Liberty: situation report")
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "Camp Liberty: situation report"
    db = settings.DATABASES["default"]
    everything = text + str(PdfReader(io.BytesIO(pdf)).metadata)
    for detail in (
        str(db["NAME"]),
        db.get("HOST") or "127.0.0.1",
        "sqlite",
        "postgres",
        "database",
        str(settings.DATA_DIR),
    ):
        assert detail.lower() not in everything.lower()


def test_without_an_operation_name_it_is_a_plain_situation_report(users):
    with override_settings(ONWARD_OPERATION_NAME=""):
        r = export.situation_report(user=users[roles.DATA_MANAGER], on=dt.date(2013, 6, 1))
        assert export.report_title(r) == "Situation report"


def test_names_in_arabic_script_read_back_whole(report):
    _, pdf = report
    text = logical_text(pdf)
    for name in [PLEDGE, PLACE, *SOURCES]:
        assert name in text
    names = font_names(pdf)
    assert embedded(pdf) and "IBMPlexSansArabic" in names
    assert not any(n.startswith(("Helvetica", "Times", "Courier")) for n in names)


def test_no_column_heading_is_broken_mid_word(report):
    r, pdf = report
    words = set(re.findall(r"[\w’'-]+", logical_text(pdf)))
    headings = {
        w for t in r.tables if t.rows for c in t.columns for w in re.findall(r"[\w’'-]+", c)
    }
    assert headings and headings <= words


def test_no_heading_is_left_alone_at_a_pages_foot(report):
    r, pdf = report
    titles = {f"{t.title} — as of {t.on:%Y-%m-%d}" for t in r.tables}
    titles |= set(F.SECTION_TITLES.values()) | {"Key figures"}
    pages = page_lines(pdf)
    assert len(pages) > 3
    for number, lines in enumerate(pages, 1):
        body = [text for _, _, text in lines if not text.startswith("Camp Liberty: situation")]
        assert body[-1] not in titles, f"page {number} ends with the heading {body[-1]!r}"
        for i, text in enumerate(body):  # a table's title is followed by its content
            if text in titles and text not in F.SECTION_TITLES.values():
                assert i + 1 < len(body), f"page {number}: {text!r} stands alone"
