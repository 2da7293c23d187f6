"""PDFs in every script: the fonts, the text shaping and the page furniture that every
PDF of Onward uses (the transfer manifest, the situation report, and letters to residents).

A name written in Arabic script must print as it is written (joined letters, right to
left, Persian letters پ چ ژ گ ک ی included), next to Latin ids on the same line, and
come back out of the PDF as text that can be searched and copied. So:

- **fpdf2** lays the pages out. Its text goes through **HarfBuzz** (uharfbuzz), which
  shapes each run (contextual forms, ligatures, marks), and through fpdf2's own
  implementation of the Unicode bidirectional algorithm, which puts the runs of a mixed
  line in display order ("P000123 زهرا غفارزاده" keeps its id on the left).
- **Fonts** come from PyPI packages, embedded as subsets (SIL Open Font License 1.1):
  IBM Plex Sans Arabic (fontpkg-ibm-plex-sans-arabic: Arabic, Persian, Urdu and basic
  Latin, regular and bold), and IBM Plex Sans (fontpkg-ibm-plex-sans) as the fallback for
  Latin letters the Arabic face lacks (ş ğ ā ī ū č …). Nothing is installed by hand and
  no standard PDF font (Helvetica) is ever used: a standard font has no Arabic glyphs.
- A PDF stores right-to-left text in display order, as every PDF producer does; a reader
  (pdftotext, pdf.js, Acrobat, or `logical_text` in the tests) puts it back in reading
  order. A ligature glyph (لا, Persian کی) stands for several letters; its ToUnicode entry
  is written in display order too (`_ligatures_in_display_order`), so that the reader's
  reversal gives the letters in reading order.

Why not reportlab (measured with reportlab 5.1 and uharfbuzz 0.57): reportlab shapes with
uharfbuzz word by word, but writes every shaped glyph that has no code point of its own
(most contextual forms) under a Private Use code point in the font's ToUnicode map, so
pypdf, pdfminer.six and pdftotext all read a shaped Arabic name back as U+E000…; and its
bidi support needs `rlbidi`, which is not on PyPI. Why IBM Plex Sans Arabic and not Noto
Sans Arabic: Noto splits dotted letters into a letter and a separate dot glyph, which
fpdf2 leaves without text (the extracted name is cut by control characters), and its
PyPI package is a variable font only (instancing its bold takes 25 s).

Charts are drawn with reportlab.graphics (its chart widgets are good) and rendered onto
fpdf2 pages by `onward.pdf.drawing.draw`, so their labels are shaped like any text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import Glyph

FAMILY = "OnwardSans"  # IBM Plex Sans Arabic, bold too
FALLBACK = "OnwardLatin"  # IBM Plex Sans, for Latin letters the Arabic face lacks
# fpdf2's standard fonts: a PDF that uses one of them cannot print Arabic script.
STANDARD_FONTS = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")

GREY_TEXT = (85, 85, 85)
HEAD_FILL = (238, 242, 246)
RULE = (185, 195, 207)


@lru_cache(maxsize=1)
def font_files() -> dict[str, Path]:
    """The font files, from their PyPI packages (each ships its licence)."""
    import fontpkg_ibm_plex_sans
    import fontpkg_ibm_plex_sans_arabic

    arabic = fontpkg_ibm_plex_sans_arabic.ROOT / "files"
    return {
        "regular": arabic / "IBMPlexSansArabic-Regular.ttf",
        "bold": arabic / "IBMPlexSansArabic-Bold.ttf",
        # The variable font at its default instance (regular): instancing costs 25 s.
        "latin": fontpkg_ibm_plex_sans.ROOT / "files" / "IBMPlexSans[wdth,wght].ttf",
    }


def is_rtl(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("R", "AL")


def has_rtl(text: str) -> bool:
    return any(is_rtl(c) for c in text)


# IBM Plex Sans Arabic draws Arabic letters smaller than its Latin ones at one size: a
# table cell holding Arabic script is set this much larger, so that names in both
# scripts read alike in one column.
ARABIC_SCALE = 1.15


def cell_size(text: str, size: float) -> float:
    return size * ARABIC_SCALE if has_rtl(text) else size


def _simple(char: str) -> bool:
    """A character set the same wherever it stands: Latin, Greek, Cyrillic, punctuation
    (— · “ ” …), currency, letterlike symbols, arrows, mathematical operators."""
    code = ord(char)
    if code < 0x0530:
        return not 0x0300 <= code < 0x0370  # combining marks
    return (
        0x2010 <= code <= 0x2027
        or 0x2030 <= code <= 0x205E
        or 0x20A0 <= code <= 0x22FF
        or 0x1E00 <= code <= 0x1EFF
    )  # and Latin Extended Additional


def needs_shaping(text: str) -> bool:
    """Whether `text` holds a character whose look depends on its neighbours or on the
    direction of its run (Arabic, Hebrew, Indic scripts, combining marks, bidi controls)."""
    return not all(_simple(c) for c in str(text))


class Document(FPDF):
    """An A4 document in points whose text is shaped and ordered in any script.

    `footer_text` (a function of the page number, or a string) is printed at the foot
    of every page; `output()` returns the PDF's bytes."""

    def __init__(
        self,
        *,
        title: str,
        landscape: bool = False,
        margin: float = 36,
        footer: Callable[[int], str] | str = "",
        subject: str = "",
    ) -> None:
        super().__init__(orientation="L" if landscape else "P", unit="pt", format="A4")
        files = font_files()
        self.add_font(FAMILY, "", files["regular"])
        self.add_font(FAMILY, "B", files["bold"])
        self.add_font(FALLBACK, "", files["latin"])
        self.set_fallback_fonts([FALLBACK])
        self.set_text_shaping(True)
        self.set_margins(margin, margin * 0.8, margin)
        self.set_auto_page_break(True, margin=margin * 1.2)
        self.set_title(title)
        self.set_author("Onward")
        self.set_creator("Onward")
        if subject:
            self.set_subject(subject)
        self.set_font(FAMILY, size=9)
        self._footer = footer
        self._finished = False
        self._widths: dict[tuple[str, float, bool], float] = {}

    def footer(self) -> None:
        text = self._footer(self.page_no()) if callable(self._footer) else self._footer
        if not text:
            return
        with self.local_context():
            self.set_font(FAMILY, size=7)
            self.set_text_color(*GREY_TEXT)
            self.set_y(-self.b_margin * 0.7)
            self.cell(w=self.epw, text=text, align="L")

    # -- text -------------------------------------------------------------------------

    def multi_cell(self, w, h=None, text="", *args, **kwargs):  # type: ignore[override]
        # Shaping is what Arabic script needs and costs two thirds of a manifest's time;
        # text with nothing to join, reorder or combine is laid out without it.
        if self.text_shaping is None or needs_shaping(text):
            return super().multi_cell(w, h, text, *args, **kwargs)
        shaping = self.text_shaping
        self.text_shaping = None
        try:
            return super().multi_cell(w, h, text, *args, **kwargs)
        finally:
            self.text_shaping = shaping

    def heading(self, text: str, size: float = 11, space_before: float = 6) -> None:
        self.ln(space_before)
        with self.local_context():
            self.set_font(FAMILY, "B", size)
            self.multi_cell(w=self.epw, h=size * 1.35, text=text, new_x="LMARGIN", new_y="NEXT")

    def paragraph(
        self,
        text: str,
        size: float = 9,
        *,
        grey: bool = False,
        bold: bool = False,
        after: float = 2,
    ) -> None:
        with self.local_context():
            self.set_font(FAMILY, "B" if bold else "", size)
            if grey:
                self.set_text_color(*GREY_TEXT)
            self.multi_cell(w=self.epw, h=size * 1.35, text=text, new_x="LMARGIN", new_y="NEXT")
        self.ln(after)

    def text_width(self, text: str, size: float, *, bold: bool = False) -> float:
        """The width of `text` in points; without shaping, from the fonts' advance widths
        (fpdf2's get_string_width runs the bidi algorithm on every call: 10 s for the
        column widths of a 300-person manifest)."""
        key = (text, size, bold)
        width = self._widths.get(key)
        if width is None:
            if needs_shaping(text):
                family, style, current = self.font_family, self.font_style, self.font_size_pt
                self.set_font(FAMILY, "B" if bold else "", size)
                width = self.get_string_width(text)
                self.set_font(family, style, current)
            else:
                font = self.fonts[FAMILY.lower() + ("B" if bold else "")]
                latin = self.fonts[FALLBACK.lower()]
                width = (
                    sum((font if ord(c) in font.cmap else latin).cw[ord(c)] for c in text)
                    * size
                    / 1000
                )
            self._widths[key] = width
        return width

    def space_left(self) -> float:
        return self.page_break_trigger - self.y

    def keep_with_next(self, height: float) -> None:
        """A new page unless `height` points fit on this one: a heading never stands
        alone at a page's foot."""
        if self.space_left() < height:
            self.add_page()

    # -- tables -----------------------------------------------------------------------

    def grid(
        self,
        rows: Sequence[Sequence[str]],
        *,
        size: float = 8,
        width: float | None = None,
        align: Sequence[str] | None = None,
        min_widths: Sequence[float] | None = None,
        keep: int = 3,
    ) -> None:
        """A table whose first row is its heading, repeated on every page it runs on.

        Columns are sized so that no word is broken (`column_widths`); text wraps at
        spaces. The heading never ends a page: it starts one when it and `keep` rows
        would not fit. `align` holds "L" or "R" per column. (Drawn here rather than with
        fpdf2's table(), which costs five times as much per cell: 300 persons took 4 s.)"""
        width = width or self.epw
        widths = self.column_widths(rows, width, size=size, min_widths=min_widths)
        align = list(align or []) + ["L"] * (len(widths) - len(align or []))
        line = size * 1.3
        head = self._wrap(rows[0], widths, size, bold=True)
        body = [self._wrap(row, widths, size) for row in rows[1:]]
        height = [self._row_height(head, line)] + [self._row_height(b, line) for b in body]
        self.keep_with_next(sum(height[: keep + 1]))
        # No local_context() here: its restore would land on the next page.
        self.set_draw_color(*RULE)
        self.set_line_width(0.4)
        self._grid_row(head, widths, align, size, line, height[0], bold=True)
        for cells, h in zip(body, height[1:], strict=True):
            if self.space_left() < h:
                self.add_page()
                self._grid_row(head, widths, align, size, line, height[0], bold=True)
            self._grid_row(cells, widths, align, size, line, h)
        self.set_draw_color(0)
        self.set_line_width(0.57)
        self.set_font(FAMILY, size=9)

    def grid_height(
        self,
        rows: Sequence[Sequence[str]],
        *,
        size: float = 8,
        width: float | None = None,
        min_widths: Sequence[float] | None = None,
        upto: int | None = None,
    ) -> float:
        """The height `grid` takes for its heading and the first `upto` rows (all: None)."""
        widths = self.column_widths(rows, width or self.epw, size=size, min_widths=min_widths)
        chosen = rows[: 1 + upto] if upto is not None else rows
        line = size * 1.3
        return sum(
            self._row_height(self._wrap(row, widths, size, bold=i == 0), line)
            for i, row in enumerate(chosen)
        )

    _PAD_X, _PAD_Y = 3.0, 1.8

    def _wrap(self, row, widths, size, *, bold=False) -> list[list[str]]:
        """Each cell's lines: words joined while they fit (a word is never cut)."""
        out = []
        for cell, w in zip(row, widths, strict=False):
            room = w - 2 * self._PAD_X
            lines: list[str] = []
            text = "" if cell is None else str(cell)
            at = cell_size(text, size)
            for word in text.split():
                if lines and self.text_width(lines[-1] + " " + word, at, bold=bold) <= room:
                    lines[-1] += " " + word
                else:
                    lines.append(word)
            out.append(lines)
        return out

    def _row_height(self, cells, line) -> float:
        return max(1, *(len(c) for c in cells)) * line + 2 * self._PAD_Y

    def _grid_row(self, cells, widths, align, size, line, height, *, bold=False) -> None:
        x, y = self.l_margin, self.y
        self.set_font(FAMILY, "B" if bold else "", size)
        if bold:
            self.set_fill_color(*HEAD_FILL)
            self.rect(x, y, sum(widths), height, style="F")
        for lines, w, a in zip(cells, widths, align, strict=False):
            self.set_font(FAMILY, "B" if bold else "", cell_size(" ".join(lines), size))
            for k, text in enumerate(lines):
                self.set_xy(x + self._PAD_X, y + self._PAD_Y + k * line)
                self.cell(w - 2 * self._PAD_X, line, text, align=a)
            self.rect(x, y, w, height)
            x += w
        self.set_xy(self.l_margin, y + height)

    def cell(self, w=None, h=None, text="", *args, **kwargs):  # type: ignore[override]
        if self.text_shaping is None or needs_shaping(text):
            return super().cell(w, h, text, *args, **kwargs)
        shaping = self.text_shaping
        self.text_shaping = None
        try:
            return super().cell(w, h, text, *args, **kwargs)
        finally:
            self.text_shaping = shaping

    def column_widths(
        self,
        rows: Sequence[Sequence[str]],
        width: float,
        *,
        size: float = 8,
        min_widths: Sequence[float] | None = None,
    ) -> list[float]:
        """Widths (points) that fit `width`: every column gets its longest word (never a
        word broken mid-way), then the space left goes to the columns in proportion to
        how much wider their longest text is."""
        pad = 6 + 1  # cell padding left and right, and a point of air
        columns = max(len(r) for r in rows)
        least, natural = [0.0] * columns, [0.0] * columns
        for index, row in enumerate(rows):
            for j, cell in enumerate(row):
                text = "" if cell is None else str(cell)
                words, at = text.split() or [""], cell_size(text, size)
                least[j] = max(
                    least[j], pad + max(self.text_width(w, at, bold=index == 0) for w in words)
                )
                natural[j] = max(natural[j], self.text_width(text, at, bold=index == 0) + pad)
        if min_widths:
            least = [max(a, b) for a, b in zip(least, min_widths, strict=False)] + least[
                len(min_widths) :
            ]
            natural = [max(a, b) for a, b in zip(natural, least, strict=True)]
        if sum(least) >= width:  # too many columns: shrink them all alike
            return [w * width / sum(least) for w in least]
        if sum(natural) <= width:  # everything fits on one line: the rest pro rata
            return [w * width / sum(natural) for w in natural]
        want = [n - m for n, m in zip(natural, least, strict=True)]
        spare = width - sum(least)
        return [m + spare * w / sum(want) for m, w in zip(least, want, strict=True)]

    # -- output -----------------------------------------------------------------------

    def output(self, *args, **kwargs) -> bytes:  # type: ignore[override]
        if not self._finished:
            _ligatures_in_display_order(self)
            self._finished = True
        return bytes(super().output(*args, **kwargs))


def _ligatures_in_display_order(pdf: FPDF) -> None:
    """A ligature glyph of right-to-left letters (لا, کی) is written, like every glyph of
    a right-to-left run, in display order; fpdf2 gives it its letters in reading order in
    the ToUnicode map, so a reader that reverses the run would get them backwards
    (پچژگیک for پچژگکی). Its letters are given in display order instead."""
    for font in pdf.fonts.values():
        subset = getattr(font, "subset", None)
        mapping = getattr(subset, "_char_id_per_glyph", None)
        if mapping is None:
            continue
        fixed = {}
        for glyph, code in mapping.items():
            letters = getattr(glyph, "unicode", None)
            if (
                isinstance(letters, tuple)
                and len(letters) > 1
                and all(is_rtl(chr(c)) or unicodedata.category(chr(c)) == "Mn" for c in letters)
            ):
                glyph = Glyph(
                    glyph.glyph_id, tuple(reversed(letters)), glyph.glyph_name, glyph.glyph_width
                )
            fixed[glyph] = code
        subset._char_id_per_glyph = fixed
