"""A small operation with every kind of record retention names: the reports' world
(cases at every step, one departed by transfer in 2013), a death, a merged duplicate,
a person who left recently, and the personal data around them (documents with files,
consents, a note, a card)."""

import datetime as dt

import pytest
from django.utils import timezone

from onward.accounts import roles
from onward.conftest import principal_data
from onward.consent.models import Consent
from onward.dedup import services as dedup
from onward.dedup.models import DuplicatePair, Merge
from onward.documents.models import Document, DocumentType
from onward.documents.services import add_version
from onward.movements import services as movements
from onward.presence.models import Card
from onward.registry import services as registry
from onward.registry.models import Note
from onward.reports.tests.conftest import _arrived_case
from onward.reports.tests.conftest import world as _world

world = _world  # the reports' fixture, used as is below

PDF = b"%PDF-1.4 synthetic passport copy of Yyretained\n"
NAMES = ("Zza_dep", "Zzdeceased", "Zzmergedaway")  # given names that must leave no trace


def _document(person, case=None):
    kind = DocumentType.objects.get_or_create(code="passport", defaults={"name": "Passport"})[0]
    doc = Document.objects.create(person=None if case else person, case=case, type=kind)
    add_version(doc, PDF.replace(b"Yyretained", person.given_name.encode()), "passport.pdf")
    return doc


@pytest.fixture
def operation(world, users, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    admin, clerk = users[roles.ADMIN], users[roles.CLERK]
    departed = world["cases"]["a_dep"].members.get()
    # The case's workflow says departed; the person leaves the ledger on the day.
    movements.departure_record(
        actor=admin, person=departed, kind="repatriated", on=dt.date(2013, 6, 1)
    )
    departed.refresh_from_db()
    _document(departed)
    _document(departed, case=departed.case)
    Consent.objects.create(
        person=departed,
        recipient="delegation",
        country="ALB",
        purpose="relocation to Albania",
        method="verbal",
        witness="Yywitness Karimi",
        given_on=dt.date(2013, 2, 1),
    )
    Note.objects.create(case=departed.case, text="Zza_dep asked about his brother", author=clerk)
    Card.objects.create(person=departed, token="CARD-0001", issued_at=timezone.now())

    dead_case = _arrived_case(users, size=1, nationality="IRN", given_name="Zzdeceased")
    dead = dead_case.members.get()
    movements.departure_record(actor=admin, person=dead, kind="deceased", on=dt.date(2014, 6, 1))

    twin_case = _arrived_case(users, size=1, nationality="AFG", given_name="Zzmergedaway")
    twin, keep = twin_case.members.get(), world["cases"]["idle"].principal
    lo, hi = sorted([twin, keep], key=lambda p: p.pk)
    pair = DuplicatePair.objects.create(person_a=lo, person_b=hi, probability=0.9, weight=5)
    merge = dedup.pair_merge(actor=admin, pair_id=pair.pk, survivor_person_id=keep.person_id)
    if not merge.done_at:  # two cases: a second reviewer applies it
        dedup.merge_approve(actor=users[roles.DATA_MANAGER], merge_id=merge.pk)
    Merge.objects.update(done_at=timezone.make_aware(dt.datetime(2014, 1, 1)))

    recent_case = registry.case_create(
        actor=clerk,
        arrival_date=dt.date(2013, 1, 5),
        principal=principal_data(given_name="Yyrecent", specific_needs=[]),
    )
    recent = recent_case.members.get()
    movements.departure_record(
        actor=admin, person=recent, kind="left_own_accord", on=timezone.localdate()
    )
    return {
        **world,
        "departed": departed,
        "dead": dead,
        "twin": twin,
        "recent": recent,
    }
