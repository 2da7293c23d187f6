"""Each letter, rendered in Persian and Arabic, read back in reading order."""

import datetime as dt

import pytest

from onward.conftest import principal_data
from onward.letters import language, render, selectors
from onward.pdf.tests.reading import embedded, font_names, logical_text
from onward.registry import services as registry

TODAY = dt.date(2026, 12, 2)  # 11 Azar 1405


@pytest.fixture
def household(clerk):
    case = registry.case_create(
        actor=clerk,
        principal=principal_data(given_name="زهرا", family_name="غفارزاده", sex="F"),
        arrival_date=dt.date(2026, 3, 21),
    )
    registry.person_add(
        actor=clerk,
        case=case,
        person=principal_data(
            given_name="Reza", relationship="child", birth_date="2015", document_number=""
        ),
    )
    return case


def test_summary_in_persian(household, letter_catalog):
    text = logical_text(render.summary(household, "fa", today=TODAY), rtl=True)
    print(text)
    assert "خلاصه اطلاعات خانوار شما" in text


def test_dump(household, letter_catalog, tmp_path):
    import os
    out = os.environ.get("LETTERS_OUT")
    if out:
        for lang in ("fa", "ar", "en"):
            open(f"{out}/summary-{lang}.pdf", "wb").write(render.summary(household, lang, today=TODAY))
