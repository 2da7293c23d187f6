"""Watermarked copies of dossier documents (docs/consent.md).

Every page of a PDF gets an overlay (drawn with fpdf2 in the project's own fonts, merged
with pypdf) saying which country's delegation and which user downloaded it, and when; an
image (PNG or JPEG) is stamped with the same line through Pillow, in the same font. What
cannot be opened as its type is refused (`Unmarkable`), never served unmarked.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext
from fpdf import FPDF

from onward.pdf import (
    FALLBACK,
    FAMILY,
    _ligatures_in_display_order,
    font_files,
    has_rtl,
    needs_shaping,
)


class Unmarkable(Exception):
    """The file cannot carry a watermark, so it is not shared."""


def mark_line(*, country: str, username: str, at: str, submission_id: int) -> str:
    """The watermark, in the language of the user who downloads (Arabic and Persian are
    shaped and set right to left)."""
    # No isolating marks: the fonts have no glyph for them, and the PDF's and the
    # image's bidi algorithms keep a Latin run (the code, the name, the time) in order.
    return gettext(
        "Onward dossier S%(submission)s · %(country)s delegation · %(user)s · %(at)s"
    ) % {"submission": submission_id, "country": country, "user": username, "at": at}


def _overlay(width: float, height: float, text: str) -> bytes:
    pdf = FPDF(unit="pt", format=(width, height))
    files = font_files()
    pdf.add_font(FAMILY, "", files["regular"])
    pdf.add_font(FALLBACK, "", files["latin"])
    pdf.set_fallback_fonts([FALLBACK])
    if needs_shaping(text):
        # A line in Arabic script is a right-to-left paragraph (its Latin runs, the code,
        # the user, the time, left to right inside it). Laid out by cell(): fpdf2's
        # text() neither shapes nor reorders.
        pdf.set_text_shaping(True, direction="rtl" if has_rtl(text) else None)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_page()
    pdf.set_text_color(200, 30, 30)
    size = max(8.0, min(width, height) / 28)

    def line(x: float, baseline: float, size: float) -> None:
        pdf.set_font(FAMILY, size=size)
        pdf.set_xy(x, baseline - size * 0.8)
        pdf.cell(h=size, text=text)

    # A diagonal line across the middle and the same line, small, at the foot of the page.
    with pdf.rotation(35, x=width / 2, y=height / 2):
        pdf.set_font(FAMILY, size=size)
        line(width / 2 - pdf.get_string_width(text) / 2, height / 2, size)
    line(12, height - 10, 7)
    _ligatures_in_display_order(pdf)  # as onward.pdf's documents: a copy reads back right
    return bytes(pdf.output())


def watermark_pdf(content: bytes, text: str) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError

    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(content)))
        pages = list(writer.pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise Unmarkable(
            gettext("the PDF cannot be read to be watermarked (%(error)s)") % {"error": exc}
        ) from None
    if not pages:
        raise Unmarkable(gettext("the PDF has no page to watermark"))
    overlays: dict = {}
    for page in pages:
        box = page.mediabox
        size = (float(box.width), float(box.height))
        if size not in overlays:
            overlays[size] = PdfReader(io.BytesIO(_overlay(*size, text))).pages[0]
        page.merge_page(overlays[size])
    writer.add_metadata({"/Subject": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def watermark_image(content: bytes, text: str, fmt: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(content))
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise Unmarkable(
            gettext("the image cannot be read to be stamped (%(error)s)") % {"error": exc}
        ) from None
    rgb = image.convert("RGB")
    draw = ImageDraw.Draw(rgb)
    size = max(10, rgb.width // 40)
    font = ImageFont.truetype(str(font_files()["regular" if has_rtl(text) else "latin"]), size)
    band = size + 8
    draw.rectangle([0, rgb.height - band, rgb.width, rgb.height], fill=(255, 255, 255))
    direction = "rtl" if has_rtl(text) else None  # laid out by Raqm, right to left
    for y in (rgb.height - band + 3, 4):
        draw.text((4, y), text, fill=(200, 30, 30), font=font, direction=direction)
    out = io.BytesIO()
    rgb.save(out, format=fmt)
    return out.getvalue()


def watermark(content: bytes, content_type: str, text: str) -> bytes:
    if content_type == "application/pdf":
        return watermark_pdf(content, text)
    if content_type == "image/png":
        return watermark_image(content, text, "PNG")
    if content_type == "image/jpeg":
        return watermark_image(content, text, "JPEG")
    raise Unmarkable(gettext("a %(type)s file cannot be watermarked") % {"type": content_type})
