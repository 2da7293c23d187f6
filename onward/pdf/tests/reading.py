"""Reading a PDF back as a person's viewer would: its text in reading order, its fonts."""

from __future__ import annotations

from onward.pdf import has_rtl

# Bidi controls a PDF may carry in its text (marks, embeddings, isolates): they order
# the glyphs when the PDF is made, and are not part of what a reader reads.
_CONTROLS = dict.fromkeys(
    map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def logical_text(pdf_bytes: bytes, *, rtl: bool = False) -> str:
    """The text of a PDF in reading order: pdfminer.six reads the glyphs in display
    order, and each line is put back in reading order by the Unicode bidirectional
    algorithm (python-bidi), as a PDF viewer does. `rtl`: the document's lines read
    right to left (a letter in Arabic or Persian), whatever their first letter; bidi
    controls are dropped."""
    import io

    from bidi import get_display
    from pdfminer.high_level import extract_text

    text = extract_text(io.BytesIO(pdf_bytes))
    if not rtl:
        lines = text.splitlines()
        return "\n".join(get_display(line) if has_rtl(line) else line for line in lines)
    lines = text.translate(_CONTROLS).splitlines()
    return "\n".join(get_display(line, base_dir="R") if has_rtl(line) else line for line in lines)


def font_names(pdf_bytes: bytes) -> set[str]:
    """The base names of the fonts a PDF uses (subset prefixes dropped)."""
    import io

    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(pdf_bytes)).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            base = str(ref.get_object().get("/BaseFont", ""))
            names.add(base.lstrip("/").split("+", 1)[-1])
    return names


def embedded(pdf_bytes: bytes) -> bool:
    """Whether every font of the PDF is embedded (a font file in its descriptor)."""
    import io

    from pypdf import PdfReader

    for page in PdfReader(io.BytesIO(pdf_bytes)).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            if descriptor is None or not any(
                k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
            ):
                return False
    return True


def page_lines(pdf_bytes: bytes) -> list[list[tuple[float, float, str]]]:
    """Each page's text lines as (top, left, text in reading order), top to bottom, in
    points from the page's top."""
    import io

    from bidi import get_display
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextLine

    pages = []
    for page in extract_pages(io.BytesIO(pdf_bytes)):
        lines, stack = [], list(page)
        while stack:
            item = stack.pop()
            if isinstance(item, LTTextLine):
                text = item.get_text().strip()
                if text:
                    lines.append(
                        (
                            page.height - item.y1,
                            item.x0,
                            get_display(text) if has_rtl(text) else text,
                        )
                    )
            elif hasattr(item, "__iter__"):
                stack.extend(item)
        pages.append(sorted(lines))
    return pages
