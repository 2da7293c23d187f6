"""The transfer manifest as a PDF (reportlab): one row per person, grouped by case."""

import io

from django.utils import timezone


def manifest_pdf_bytes(transfer, rows: list[dict]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=12 * mm,
                            rightMargin=12 * mm, topMargin=12 * mm, bottomMargin=12 * mm,
                            title=f"Manifest of transfer {transfer.pk}", author="Onward")
    styles = getSampleStyleSheet()
    cases = len({r["case_id"] for r in rows})
    story = [
        Paragraph(f"Transfer manifest no. {transfer.pk}", styles["Title"]),
        Paragraph(f"Destination: {transfer.country} — pledge {transfer.pledge.name}. "
                  f"Date: {transfer.date:%d %B %Y}. Status: {transfer.get_status_display()}. "
                  f"Seats: {transfer.seats}. On the manifest: {len(rows)} persons in "
                  f"{cases} cases.", styles["Normal"]),
        Paragraph(f"Printed {timezone.localtime():%Y-%m-%d %H:%M}. Confidential: personal "
                  "data of refugees.", styles["Italic"]),
        Spacer(1, 5 * mm),
    ]
    header = ["#", "Case", "Person", "Rel.", "Family name", "Given name", "Father's name",
              "Sex", "Born", "Nat.", "Document", "Boarded"]
    data = [header] + [[str(i), r["case_id"], r["person_id"], r["relationship"],
                        r["family_name"], r["given_name"], r["father_name"], r["sex"],
                        r["birth_date"], r["nationality"], r["document_number"], ""]
                       for i, r in enumerate(rows, 1)]
    table = Table(data, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b9c3cf")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story.append(table)
    doc.build(story)
    return buffer.getvalue()
