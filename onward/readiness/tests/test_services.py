"""Recording facts: good input is stored (document number encrypted), bad input refused whole."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from onward.accounts import roles
from onward.readiness import engine
from onward.readiness.models import Fact, Requirement
from onward.readiness.services import record_fact

D = dt.date(2026, 12, 1)


@pytest.fixture
def requirements(db):
    Requirement.objects.create(country="ALB", kind="travel_document")
    Requirement.objects.create(country="ALB", kind="fit_to_travel", valid_days=3)
    Requirement.objects.create(country="ALB", kind="biometrics", waivable=True)


def test_travel_document_stored_with_number_encrypted(requirements, users, case):
    officer = users[roles.RESETTLEMENT]
    person = case.members.first()
    fact = record_fact(
        officer,
        person=person,
        country="ALB",
        kind="travel_document",
        status="passed",
        on=D,
        valid_until=dt.date(2030, 1, 1),
        document_number="P7654321",
        document_issuer="IRN",
        document_issued_on=dt.date(2025, 1, 1),
    )
    assert Fact.objects.get(pk=fact.pk).document_number == "P7654321"
    with connection.cursor() as cur:
        cur.execute("SELECT document_number FROM readiness_fact WHERE id = %s", [fact.pk])
        assert "P7654321" not in cur.fetchone()[0]


@pytest.mark.parametrize(
    ("kwargs", "role", "error", "words"),
    [
        (
            {
                "kind": "travel_document",
                "valid_until": dt.date(2024, 1, 1),
                "document_issued_on": dt.date(2025, 1, 1),
                "on": dt.date(2023, 1, 1),
            },
            roles.RESETTLEMENT,
            ValidationError,
            "before its issue date",
        ),
        ({"kind": "visa"}, roles.RESETTLEMENT, ValidationError, "no requirement visa"),
        (
            {"kind": "biometrics", "status": "waived"},
            roles.PROTECTION,
            PermissionDenied,
            "may not waive biometrics",
        ),
        (
            {"kind": "fit_to_travel", "status": "waived"},
            roles.RESETTLEMENT,
            ValidationError,
            "fit_to_travel may not be waived",
        ),
        ({"kind": "visa"}, roles.CLERK, PermissionDenied, "readiness.record"),
    ],
)
def test_bad_input_refused_whole_naming_it(requirements, users, case, kwargs, role, error, words):
    person = case.members.first()
    args = {"person": person, "country": "ALB", "status": "passed", "on": D, **kwargs}
    with pytest.raises(error, match=words):
        record_fact(users[role], **args)
    assert not Fact.objects.exists()


def test_recorded_facts_feed_the_engine(requirements, users, case):
    officer = users[roles.RESETTLEMENT]
    person = case.members.first()
    record_fact(officer, person=person, country="ALB", kind="fit_to_travel", status="passed", on=D)
    reqs = [
        engine.Requirement(r.kind, r.valid_days)
        for r in Requirement.objects.filter(kind="fit_to_travel")
    ]
    facts = [
        engine.Fact(f.kind, f.status, f.on, f.valid_until) for f in person.readiness_facts.all()
    ]
    assert engine.evaluate(reqs, facts, D + dt.timedelta(days=3)).ready
    assert not engine.evaluate(reqs, facts, D + dt.timedelta(days=4)).ready


def test_a_person_with_no_facts_is_blocked_by_every_country_requirement(requirements, users, case):
    from onward.readiness.selectors import person_readiness, requirements_for

    assert [r.kind for r in requirements_for("ALB")] == [
        "biometrics",
        "fit_to_travel",
        "travel_document",
    ]
    person = case.members.first()
    blockers = person_readiness(person.pk, "ALB", D).blockers
    assert {b.kind for b in blockers} == {"biometrics", "fit_to_travel", "travel_document"}
