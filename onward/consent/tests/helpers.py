"""Builders for the consent tests: a real case brought through the real services, real
documents (encrypted, stored), real consents and agreements."""

import datetime as dt
import io

from onward.accounts import roles

GIVEN = dt.date(2013, 1, 15)  # before the factories' submissions (March 2013)


def pdf_bytes(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (400, 300), (240, 240, 240)).save(out, format="PNG")
    return out.getvalue()


def doc_type(code: str, name: str):
    from onward.documents.models import DocumentType

    return DocumentType.objects.get_or_create(code=code, defaults={"name": name})[0]


def attach(users, person, code="rrf", name="RRF", content=None, filename="rrf.pdf", tier=""):
    from onward.documents import services as documents
    from onward.documents.models import Document, Tier

    doc = Document.objects.create(
        person=person, type=doc_type(code, name), tier=tier or Tier.ORDINARY
    )
    documents.add_version(doc, content or pdf_bytes(), filename, user=users[roles.CLERK])
    return doc


def consent(users, person, country="ALB", *, given=GIVEN, expires=None, guardian=None):
    from onward.consent import services

    return services.consent_record(
        actor=users[roles.CLERK],
        person=person,
        recipient="delegation",
        country=country,
        purpose="Resettlement submission",
        method="verbal",
        witness="Amina Field",
        given_on=given,
        expires_on=expires,
        guardian=guardian,
    )


def agreement(users, country="ALB", *, fields=None, types=("rrf",), start=None, end=None):
    from onward.consent import services

    today = dt.date.today()
    return services.agreement_create(
        actor=users[roles.DATA_MANAGER],
        country=country,
        name=f"{country} data-sharing 2013",
        fields=fields or ["given_name", "family_name", "sex", "birth_date"],
        document_types=[doc_type(c, c.upper()) for c in types],
        valid_from=start or dt.date(2013, 1, 1),
        valid_to=end or today + dt.timedelta(days=365),
    )


def submitted(users, pledge, *, size=2, consent_all=True):
    """A case of `size` (one adult principal and children born 2001, adults in 2020+…)
    submitted to `pledge`, with every adult's consent for its country."""
    from onward.consent.rules import adults
    from onward.relocation.models import State
    from onward.relocation.tests.factories import bring_to, make_case

    case = make_case(users, size=size)
    if consent_all:
        # Adults at submission (2013) and today (the dossier's rule reads today).
        for p in adults(case, dt.date.today()):
            consent(users, p, pledge.country)
    bring_to(users, case, State.SUBMITTED, pledge_=pledge)
    return case
