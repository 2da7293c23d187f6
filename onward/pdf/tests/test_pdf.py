"""onward.pdf: names in any script print shaped, in order, in embedded fonts, and read
back as the same text; tables never break a word; headings never end a page."""

import random

from onward.pdf import FAMILY, Document
from onward.pdf.tests.reading import embedded, font_names, logical_text

PERSIAN = ["زهرا غفارزاده", "پورچگینی", "ژیلا", "کیومرث", "گلنار", "چکاوک", "کیانی"]
ARABIC = ["عبدالله", "جلال", "علاءالدین", "فاطمة الزهراء", "صلاح"]


def _pdf(*lines: str) -> bytes:
    doc = Document(title="test")
    doc.add_page()
    for line in lines:
        doc.paragraph(line)
    return doc.output()


def test_arabic_and_persian_names_read_back_whole_and_in_reading_order():
    text = logical_text(_pdf(*PERSIAN, *ARABIC))
    for name in PERSIAN + ARABIC:  # ligatures (لا, Persian final کی, نی) included
        assert name in text.splitlines()


def test_a_latin_id_beside_an_arabic_name_keeps_its_place():
    line = "P000123 زهرا غفارزاده (Zahra Ghaffarzadeh), case C0012, born 1990"
    assert line in logical_text(_pdf(line)).splitlines()


def test_letters_are_joined_by_the_shaping_engine_not_drawn_one_by_one():
    doc = Document(title="test")
    doc.add_page()
    doc.paragraph("پچژگکی")
    doc.output()
    used = {g.glyph_name for g, _ in doc.fonts[FAMILY.lower()].subset.items() if g}
    isolated = {"uni067E", "uni0686", "uni0698", "uni06AF", "uni06A9", "uni06CC"}
    assert not used & isolated  # each letter in its joined (initial, medial, final) form
    assert any(n.startswith(("uniFB", "uniFE")) or "." in n for n in used)


def test_every_font_is_embedded_and_none_is_a_standard_pdf_font():
    pdf = _pdf("Zahra زهرا Şahin Ağaoğlu")
    names = font_names(pdf)
    assert names and embedded(pdf)
    assert not {n for n in names if n.startswith(("Helvetica", "Times", "Courier"))}


def test_latin_letters_the_arabic_face_lacks_come_from_the_latin_face():
    pdf = _pdf("Şahin Ağaoğlu Čurić Ābān")
    assert "Şahin Ağaoğlu Čurić Ābān" in logical_text(pdf)
    assert "IBMPlexSans" in font_names(pdf)


def test_column_widths_give_every_column_its_longest_word():
    doc = Document(title="test")
    words = [
        "Remaining",
        "Identified",
        "Submitted",
        "غفارزاده",
        "Departed",
        "a",
        "P000123",
        "humanitarian",
        "پورچگینی",
        "Accepted",
    ]
    rng = random.Random(7)
    for _ in range(30):
        columns = rng.randint(2, 8)
        rows = [
            [" ".join(rng.choices(words, k=rng.randint(1, 3))) for _ in range(columns)]
            for _ in range(rng.randint(1, 6))
        ]
        widths = doc.column_widths(rows, 480, size=8)
        assert abs(sum(widths) - 480) < 0.01
        for j in range(columns):
            longest = max(
                doc.text_width(w, 8, bold=i == 0)
                for i, row in enumerate(rows)
                for w in row[j].split()
            )
            assert widths[j] >= longest + 6  # the cell's padding


def test_a_table_heading_starts_a_page_rather_than_end_one():
    doc = Document(title="test")
    doc.add_page()
    while doc.space_left() > 40:
        doc.paragraph("filler")
    page = doc.page_no()
    doc.grid([["Country", "Remaining"], ["Albania", "5"], ["Norway", "7"], ["USA", "9"]])
    assert doc.page_no() == page + 1
    text = logical_text(doc.output())
    assert "Remaining" in text and "Norway" in text
