"""A pledge's accepted persons never exceed its capacity, even when two users accept at
the same moment: the pledge's row is locked before its accepted usage is counted."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from onward.accounts import roles
from onward.relocation import selectors, services, workflow
from onward.relocation.models import State, Submission
from onward.relocation.tests.factories import at, bring_to, make_case, pledge

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=(
            "needs PostgreSQL: SQLite serialises every writer (BEGIN IMMEDIATE), so two "
            "acceptances can never overlap there"
        ),
    ),
]


def test_two_officers_accepting_at_once_never_overrun_the_pledge(users, monkeypatch):
    p = pledge(users, persons=5)
    cases = [
        bring_to(users, make_case(users, size=3), State.SUBMITTED, pledge_=p) for _ in range(2)
    ]
    deciders = [users[roles.DELEGATION], users[roles.ADMIN]]
    # Hold each transaction open a moment after its guards passed, so that the other one
    # certainly arrives while the first still holds its locks.
    write = workflow._write
    monkeypatch.setattr(workflow, "_write", lambda *a: (time.sleep(0.3), write(*a)))
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(case, user):
        try:
            barrier.wait(timeout=10)
            services.submission_accept(actor=user, case=case, at=at(10))
            outcomes.append("accepted")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connections.close_all()  # this thread's own connection

    threads = [
        threading.Thread(target=accept, args=(c, u)) for c, u in zip(cases, deciders, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes, key=len)[0] == "accepted"
    assert "has no room" in sorted(outcomes, key=len)[1]
    assert Submission.objects.filter(pledge=p, decision="accepted").count() == 1
    assert selectors.pledge_figures(p)["persons"]["accepted"] == 3
