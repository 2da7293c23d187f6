"""The dashboard's documents and consent figures: documents per submitted case and cases
missing a required document by country, consents expiring within 30 days; as of a past
date; a constant number of queries whatever the cases."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onward.accounts import roles
from onward.consent.tests.helpers import attach, consent, doc_type
from onward.documents.models import Document
from onward.relocation.models import State
from onward.relocation.tests.factories import bring_to, make_case, pledge
from onward.reports import figures as F

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _table(user, key, on=TODAY):
    return next(t for t in F.dashboard(user, on, only="documents") if t.key == key)


def _submitted(users, p):
    case = make_case(users, size=2)
    bring_to(users, case, State.SUBMITTED, pledge_=p)
    return case


def test_documents_per_case_and_missing_required_by_country(users):
    rrf = doc_type("rrf", "RRF")
    rrf.required = True
    rrf.save()
    albania, france = pledge(users), pledge(users, country="FRA")
    a1, a2, f1 = _submitted(users, albania), _submitted(users, albania), _submitted(users, france)
    principal = a1.members.get(relationship="principal")
    attach(users, principal)  # the RRF, on a member: counts for the case
    attach(users, principal, code="photo", name="Photo")
    Document.objects.create(case=a2, type=rrf, valid_until=TODAY - dt.timedelta(days=1))
    make_case(users)  # not submitted: not counted
    t = _table(users[roles.DATA_MANAGER], "documents_by_country")
    rows = {r.label: r.values for r in t.rows}
    # ALB: 2 cases, 3 documents, 1.5 a case; a2's RRF has expired: missing. FRA: none.
    assert rows == {"ALB": [2, 3, 1.5, 1], "FRA": [1, 0, 0, 1]}
    # As of a day before any document was created: the documents are not there yet.
    Document.objects.update(created_at=F.end_of(TODAY))
    past = _table(users[roles.DATA_MANAGER], "documents_by_country", TODAY - dt.timedelta(days=1))
    assert {r.label: r.values[1] for r in past.rows} == {"ALB": 0, "FRA": 0}
    assert f1.pk  # (the FRA case is counted above)


def test_consents_expiring_within_30_days(users):
    case = make_case(users, size=3)
    first, second, third = case.members.order_by("person_id")
    consent(users, first, "ALB", expires=TODAY + dt.timedelta(days=10))
    consent(users, second, "ALB", expires=TODAY + dt.timedelta(days=30))
    consent(users, third, "ALB", expires=TODAY + dt.timedelta(days=31))  # not yet
    consent(users, third, "FRA")  # no end
    t = _table(users[roles.DATA_MANAGER], "documents_consents_expiring")
    assert [(r.label, r.values) for r in t.rows] == [("A country's delegation: ALB", [2])]
    assert t.total == 2
    later = _table(
        users[roles.DATA_MANAGER], "documents_consents_expiring", TODAY + dt.timedelta(days=5)
    )
    assert later.total == 3


def test_a_delegation_does_not_see_the_section(users):
    assert "documents" not in F.sections_for(users[roles.DELEGATION])


def test_the_cost_does_not_grow_with_the_cases(users):
    dm = users[roles.DATA_MANAGER]
    albania = pledge(users)
    attach(users, _submitted(users, albania).members.first())

    def queries():
        with CaptureQueriesContext(connection) as q:
            F.documents_section(dm, TODAY)
        return len(q.captured_queries)

    few = queries()
    for _ in range(3):
        attach(users, _submitted(users, pledge(users, country="FRA")).members.first())
    assert queries() == few <= 4


def test_the_tables_download_as_csv(client, users):
    from django.urls import reverse

    albania = pledge(users)
    attach(users, _submitted(users, albania).members.first())
    client.force_login(users[roles.DATA_MANAGER])
    for key in ("documents_by_country", "documents_consents_expiring"):
        response = client.get(reverse("report_csv", args=[key]), {"as_of": str(TODAY)})
        assert response.status_code == 200, key
    response = client.get(reverse("report_csv", args=["documents_by_country"]))
    body = response.getvalue() if not response.streaming else b"".join(response)
    text = body.decode("utf-8-sig")
    assert "ALB,1,1,1.0,0" in text.replace("\r", "")
