"""Each letter, rendered in Persian and Arabic, read back in reading order: the phrases
of LETTERS_TRANSLATIONS.json, the names in Arabic script, the dates in the reader's
calendar and digits with the ISO date beside."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from onward.conftest import principal_data
from onward.letters import render, selectors
from onward.letters.language import default_language, letter_date
from onward.pdf import STANDARD_FONTS
from onward.pdf.tests.reading import embedded, font_names, logical_text
from onward.registry import services as registry

TODAY = dt.date(2026, 12, 2)  # 11 Azar 1405


def _read(pdf: bytes, language: str) -> str:
    assert pdf.startswith(b"%PDF")
    if os.environ.get("LETTERS_OUT"):  # to look at them: LETTERS_OUT=dir pytest …
        out = Path(os.environ["LETTERS_OUT"])
        title = logical_text(pdf).splitlines()[0][:12].replace(" ", "_")
        (out / f"{language}-{len(list(out.glob('*.pdf')))}-{title}.pdf").write_bytes(pdf)
    assert embedded(pdf) and not font_names(pdf) & set(STANDARD_FONTS)
    return logical_text(pdf, rtl=language != "en")


def _title(text: str) -> str:
    """The first line, without spaces: pdfminer may read a gap between two letters of a
    large bold heading as a space (its spacing heuristic, not the PDF's text)."""
    return text.splitlines()[0].replace(" ", "")


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


def test_the_default_language_follows_the_principals_languages(household):
    from onward.interviews.models import InterpreterNeed, PersonLanguage

    principal = household.principal
    assert default_language(household) == "en"
    InterpreterNeed.objects.create(person=principal, language="ar")
    assert default_language(household) == "ar"
    PersonLanguage.objects.create(person=principal, language="prs", level="native")
    assert default_language(household) == "fa"  # Dari, spoken natively, before the need


def test_dates_in_the_readers_calendar_and_digits_with_the_iso_date():
    assert letter_date(TODAY, "fa") == "۱۱ آذر ۱۴۰۵ (\u202a2026-12-02\u202c)"
    assert letter_date(TODAY, "ar").startswith("٢ ")
    assert letter_date(TODAY, "ar").endswith("(\u202a2026-12-02\u202c)")
    assert letter_date(TODAY, "en") == "2 December 2026 (2026-12-02)"


def test_the_summary_in_persian_and_arabic(household, letter_catalog):
    fa = _read(render.summary(household, "fa", today=TODAY), "fa")
    assert _title(fa) == _title("خلاصه اطلاعات خانوار شما")
    assert "۱۱ آذر ۱۴۰۵ (2026-12-02)" in fa
    assert "به: زهرا غفارزاده" in fa
    assert "شماره پرونده: C00001" in fa
    assert "تاریخ ثبت: ۱ فروردین ۱۴۰۵ (2026-03-21)" in fa
    assert "اعضای خانوار شما (۲)" in fa
    assert "زهرا غفارزاده، شماره ثبت P000001" in fa
    ar = _read(render.summary(household, "ar", today=TODAY), "ar")
    assert _title(ar) == _title("ملخص أسرتك")
    assert "رقم الملف: C00001" in ar
    assert "أفراد أسرتك (٢)" in ar
    assert "زهرا غفارزاده، رقم التسجيل P000001" in ar


def test_the_appointment_slip(household, letter_catalog):
    from onward.interviews import services
    from onward.interviews.models import AppointmentType, InterpreterNeed, Room

    InterpreterNeed.objects.create(person=household.principal, language="prs")
    start = timezone.make_aware(dt.datetime(2026, 12, 7, 9, 30))
    appointment = services.book(
        type=AppointmentType.objects.get(code=AppointmentType.RESETTLEMENT_INTERVIEW),
        case=household,
        start=start,
        end=start + dt.timedelta(hours=1),
        room=Room.objects.create(name="Room 4"),
    )
    fa = _read(render.appointment(household, appointment, "fa", today=TODAY), "fa")
    assert _title(fa) == _title("برگه نوبت")
    assert "تاریخ: ۱۶ آذر ۱۴۰۵ (2026-12-07)" in fa
    assert "ساعت: ۰۹:۳۰" in fa
    assert "اتاق: Room 4" in fa
    assert "مترجم شفاهی: دری" in fa
    assert "Reza Rezaei، شماره ثبت P000002" in fa  # whom to bring: the household
    ar = _read(render.appointment(household, appointment, "ar", today=TODAY), "ar")
    assert _title(ar) == _title("بطاقة موعد")
    assert "الوقت: ٠٩:٣٠" in ar
    assert "المترجم الفوري: الدارية" in ar


@pytest.mark.parametrize(
    ("state", "fa_phrase", "ar_phrase"),
    [
        ("accepted", "پرونده شما برای اسکان مجدد در آلبانی پذیرفته شد.", "ألبانيا"),
        ("rejected", "پرونده شما برای اسکان مجدد پذیرفته نشد.", "لم يتم قبول ملفك"),
        ("deferred", "تصمیم درباره پرونده شما به تعویق افتاده است.", "تم تأجيل القرار"),
        ("info_requested", "به اطلاعات بیشتری نیاز است", "يلزم مزيد من المعلومات"),
    ],
)
def test_the_decision_letter(users, household, letter_catalog, state, fa_phrase, ar_phrase):
    from onward.relocation.tests.factories import bring_to, pledge

    bring_to(users, household, state, pledge_=pledge(users))
    told = selectors.decision(household)
    assert told is not None and told.outcome == state
    fa = _read(render.decision(household, told, "fa", today=TODAY), "fa")
    assert _title(fa) == _title("تصمیم درباره پرونده اسکان مجدد شما")
    assert fa_phrase in fa
    # What the resident may not know: the reason given, the category.
    assert "not eligible" not in fa and "quota" not in fa and "LPN" not in fa
    if state != "accepted":
        assert "آلبانی" not in fa and "Albania" not in fa and "ALB" not in fa
    ar = _read(render.decision(household, told, "ar", today=TODAY), "ar")
    assert _title(ar) == _title("القرار بشأن ملف إعادة توطينك")
    assert ar_phrase in ar


def test_no_decision_letter_while_the_country_has_said_nothing(users, household):
    from onward.relocation.tests.factories import bring_to, pledge

    assert selectors.decision(household) is None
    bring_to(users, household, "submitted", pledge_=pledge(users))
    assert selectors.decision(household) is None


def test_the_departure_notice(users, letter_catalog):
    from onward.movements import services
    from onward.movements.tests.factories import TRANSFER_DAY, ready_case
    from onward.relocation.tests.factories import pledge

    albania = pledge(users)
    case = ready_case(users, albania, size=2, given_name="محمد")
    transfer = services.transfer_plan(
        actor=users["resettlement_officer"], pledge=albania, date=TRANSFER_DAY, seats=9
    )
    line = services.transfer_case_add(
        actor=users["resettlement_officer"], transfer=transfer, case=case
    )
    facts = dict(assembly_point="Gate B", assembly_time=dt.time(5, 45), luggage_kg=23)
    fa = _read(render.departure(case, line, "fa", today=TODAY, **facts), "fa")
    assert _title(fa) == _title("اطلاعیه عزیمت")
    # The country in the letter's language (CLDR), not in English.
    assert "شما به آلبانی سفر خواهید کرد." in fa and "Albania" not in fa
    assert "روز عزیمت: ۱۳ فروردین ۱۳۹۲ (2013-04-02)" in fa
    assert "محل تجمع: Gate B" in fa
    assert "ساعت حضور: ۰۵:۴۵" in fa
    assert "بار: تا ۲۳ کیلوگرم برای هر مسافر" in fa
    assert "مسافران" in fa and "محمد Rezaei" in fa
    ar = _read(render.departure(case, line, "ar", today=TODAY, **facts), "ar")
    assert _title(ar) == _title("إشعار السفر")
    assert "الأمتعة: حتى ٢٣ كغ لكل مسافر" in ar


def test_an_english_letter_reads_left_to_right(household):
    text = _read(render.summary(household, "en", today=TODAY), "en")
    assert _title(text) == _title("Your household summary")
    assert "Case number: C00001" in text
