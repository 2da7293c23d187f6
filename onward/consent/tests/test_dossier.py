"""The delegation's dossier: the agreement's fields and the chosen documents of its types,
for the agreement's time only; downloads watermarked with the country and the user; every
read and download audited; closed (404 and `denied`) when the submission closes, consent
is withdrawn or the agreement expires."""

import datetime as dt
import io

import pytest
from django.urls import reverse

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.consent import services
from onward.consent.models import Consent
from onward.consent.tests.helpers import agreement, attach, png_bytes, submitted
from onward.relocation import services as relocation
from onward.relocation.tests.factories import pledge

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ONWARD_CONSENT_REQUIRED = True
    alb = pledge(users)
    case = submitted(users, alb, size=1)
    deal = agreement(users, "ALB", types=("rrf", "photo"))
    person = case.members.get()
    rrf = attach(users, person)
    photo = attach(users, person, code="photo", name="Photo", content=png_bytes(), filename="p.png")
    sub = case.submissions.get()
    for doc in (rrf, photo):
        services.dossier_document_choose(
            actor=users[roles.RESETTLEMENT], submission=sub, document=doc
        )
    return {"case": case, "sub": sub, "rrf": rrf, "photo": photo, "agreement": deal}


def _denied(detail_part=""):
    return AuditEntry.objects.filter(
        action=AuditEntry.Action.DENIED, detail__contains=detail_part
    ).count()


def test_the_dossier_shows_only_the_agreements_fields(client_for, users, world):
    page = client_for(roles.DELEGATION).get(reverse("dossier", args=[world["sub"].pk]))
    assert page.status_code == 200
    text = page.content.decode()
    person = world["case"].members.get()
    assert person.given_name in text and "Father" not in text
    assert str(person.document_number) not in text  # not in the agreement's fields
    api = client_for(roles.DELEGATION).get(reverse("api_dossier", args=[world["sub"].pk])).json()
    # A shared name is shared in both scripts (consent.models.ARABIC_SCRIPT_OF).
    assert set(api["members"][0]) == {
        "person_id",
        "given_name",
        "given_name_arabic",
        "family_name",
        "family_name_arabic",
        "sex",
        "birth_date",
    }
    assert sorted(d["id"] for d in api["documents"]) == sorted([world["photo"].pk, world["rrf"].pk])
    assert AuditEntry.objects.filter(object_type="dossier", action="view").count() == 2


def test_a_pdf_download_is_watermarked_with_the_country_and_the_user(client_for, users, world):
    from pypdf import PdfReader

    url = reverse("dossier_download", args=[world["sub"].pk, world["rrf"].pk])
    response = client_for(roles.DELEGATION).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "ALB delegation" in text and users[roles.DELEGATION].username in text
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, object_type="document")
    assert entry.get().detail.startswith(f"dossier S{world['sub'].pk} · ALB")


def test_an_image_is_a_stamped_copy(client_for, users, world):
    from PIL import Image

    url = reverse("dossier_download", args=[world["sub"].pk, world["photo"].pk])
    response = client_for(roles.DELEGATION).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (400, 300)
    assert response.content != png_bytes()
    # The stamp is red text on the light grey page.
    colours = image.convert("RGB").getcolors(1 << 20) or []
    assert any(r > 150 and g < 100 for _n, (r, g, b) in colours)


def test_a_pdf_that_cannot_carry_the_watermark_is_refused_not_served(client_for, users, world):
    bad = attach(users, world["case"].members.get(), content=b"%PDF-1.4\n%%EOF\n")
    services.dossier_document_choose(
        actor=users[roles.RESETTLEMENT], submission=world["sub"], document=bad
    )
    url = reverse("dossier_download", args=[world["sub"].pk, bad.pk])
    response = client_for(roles.DELEGATION).get(url)
    assert response.status_code == 409
    assert b"cannot be shared" in response.content


def _closed(client, world):
    web = client.get(reverse("dossier", args=[world["sub"].pk])).status_code
    api = client.get(reverse("api_dossier", args=[world["sub"].pk])).status_code
    dl = client.get(
        reverse("api_dossier_document", args=[world["sub"].pk, world["rrf"].pk])
    ).status_code
    return web, api, dl


def test_a_withdrawal_closes_the_dossier_at_once(client_for, users, world):
    client = client_for(roles.DELEGATION)
    assert _closed(client, world) == (200, 200, 200)
    consent = Consent.objects.get(person=world["case"].members.get())
    services.consent_withdraw(actor=users[roles.CLERK], consent=consent, reason="no longer")
    assert _closed(client, world) == (404, 404, 404)
    assert _denied("consent for ALB was withdrawn") == 3
    # The officer still sees it, with why it is closed and the flag.
    page = client_for(roles.RESETTLEMENT).get(reverse("dossier", args=[world["sub"].pk]))
    assert b"was withdrawn" in page.content and b"Flagged" in page.content


def test_the_dossier_ends_with_the_agreement(client_for, users, world):
    deal = world["agreement"]
    deal.valid_to = dt.date.today() - dt.timedelta(days=1)
    deal.save()
    assert _closed(client_for(roles.DELEGATION), world) == (404, 404, 404)
    assert _denied("no data-sharing agreement with ALB") == 3


def test_the_dossier_ends_when_the_submission_closes(client_for, users, world):
    relocation.case_withdraw(
        actor=users[roles.RESETTLEMENT], case=world["case"], reason="family declined"
    )
    assert _closed(client_for(roles.DELEGATION), world) == (404, 404, 404)
    assert _denied("is closed") == 3


def test_a_protection_document_never_enters_a_dossier(users, world):
    from django.core.exceptions import ValidationError

    secret = attach(users, world["case"].members.get(), tier="protection")
    with pytest.raises(ValidationError):
        services.dossier_document_choose(
            actor=users[roles.RESETTLEMENT], submission=world["sub"], document=secret
        )
