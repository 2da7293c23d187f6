"""The transfer manifest as a PDF: one row per person, grouped by case, with the travel
document (number, expiry), the assistance codes (WCHR, STCR, MEDA, OXYG) and the escort.

Names print in the script they were registered in (Arabic, Persian, Latin, or mixed on
one line), shaped and in the right order, in fonts embedded in the file (onward.pdf).
"""

from django.utils import timezone
from django.utils.translation import override

COLUMNS = [
    "#",
    "Case",
    "Person",
    "Rel.",
    "Family name",
    "Given name",
    "Father's name",
    "Sex",
    "Born",
    "Nat.",
    "Document",
    "Travel doc.",
    "Expires",
    "Assist.",
    "Escort",
    "Boarded",
]


def manifest_pdf_bytes(transfer, rows: list[dict]) -> bytes:
    from onward.pdf import Document

    printed = timezone.localtime()
    pdf = Document(
        title=f"Manifest of transfer {transfer.pk}",
        landscape=True,
        footer=lambda page: (
            f"Transfer {transfer.pk} · printed "
            f"{printed:%Y-%m-%d %H:%M} · confidential: personal data of refugees · "
            f"page {page}"
        ),
    )
    pdf.add_page()
    cases = len({r["case_id"] for r in rows})
    pdf.heading(f"Transfer manifest no. {transfer.pk}", size=16, space_before=0)
    with override("en"):  # the manifest is in English, as its other words
        status = transfer.get_status_display()
    pdf.paragraph(
        f"Destination: {transfer.country} — pledge {transfer.pledge.name}. "
        f"Date: {transfer.date:%d %B %Y}. Status: {status}. "
        f"Seats: {transfer.seats}. On the manifest: {len(rows)} persons in "
        f"{cases} cases.",
        size=10,
    )
    pdf.paragraph(
        f"Printed {printed:%Y-%m-%d %H:%M}. Confidential: personal data of refugees.",
        grey=True,
        after=8,
    )
    data = [COLUMNS] + [
        [
            str(i),
            r["case_id"],
            r["person_id"],
            r["relationship"],
            r["family_name"],
            r["given_name"],
            r["father_name"],
            r["sex"],
            r["birth_date"],
            r["nationality"],
            r["document_number"],
            r["travel_document"],
            r["travel_document_expiry"],
            r["assistance"],
            r["escort"],
            "",
        ]
        for i, r in enumerate(rows, 1)
    ]
    # The boarding column is ticked by hand: wide enough for a pen.
    pdf.grid(data, size=7.5, min_widths=[0] * 15 + [50])
    return pdf.output()
