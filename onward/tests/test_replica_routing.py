"""The read replica's routing rules without a replica (onward/replica.py); the real one,
streaming from the primary, is in test_replica_live.py (marked `replica`)."""

import logging

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import ResolverMatch

from onward import replica
from onward.accounts.models import User
from onward.registry.models import Person
from onward.reports.models import FiguresGeneration


@pytest.fixture
def routed():
    token = replica._route.set(replica.REPLICA)
    yield
    replica._route.reset(token)


def test_reads_stay_on_the_primary_unless_the_page_chose_the_replica():
    router = replica.ReplicaRouter()
    assert router.db_for_read(Person) == "default"


def test_a_heavy_page_reads_records_from_the_replica_but_sign_in_state_from_the_primary(routed):
    router = replica.ReplicaRouter()
    assert router.db_for_read(Person) == "replica"
    assert router.db_for_read(User) == "default"
    assert router.db_for_read(FiguresGeneration) == "default"


def test_writes_and_migrations_only_ever_go_to_the_primary(routed):
    router = replica.ReplicaRouter()
    assert router.db_for_write(Person) == "default"
    assert router.db_for_write(Person, instance=Person(pk=1)) == "default"
    assert router.allow_migrate("default", "registry")
    assert not router.allow_migrate("replica", "registry")


def test_a_replica_failing_mid_page_serves_the_page_again_from_the_primary(
    routed, monkeypatch, caplog
):
    monkeypatch.setattr(replica, "probe", lambda: (False, "unreachable (stopped)"))
    replica.forget()
    seen = []

    def view(request):
        seen.append(replica.current())
        return HttpResponse("figures")

    request = RequestFactory().get("/reports/")
    request.resolver_match = ResolverMatch(view, (), {}, url_name="dashboard")
    with caplog.at_level(logging.WARNING, logger="onward.replica"):
        response = replica.ReplicaMiddleware(view).process_exception(
            request, OperationalError("server closed the connection unexpectedly")
        )
    assert response.content == b"figures"
    assert seen == ["default"]
    assert any("served from the primary" in r.getMessage() for r in caplog.records)
    replica.forget()


def test_other_errors_are_not_retried(routed):
    request = RequestFactory().get("/reports/")
    assert replica.ReplicaMiddleware(None).process_exception(request, ValueError()) is None


def test_the_replica_check_is_kept_and_a_change_logged_once(monkeypatch, settings, caplog):
    settings.ONWARD_REPLICA_CHECK_SECONDS = 60
    answers = iter([(False, "behind by 9.0 s (limit 5 s)"), (True, "")])
    calls = []

    def probe():
        calls.append(1)
        return next(answers)

    monkeypatch.setattr(replica, "probe", probe)
    replica.forget()
    with caplog.at_level(logging.INFO, logger="onward.replica"):
        assert not replica.usable()
        assert not replica.usable()  # kept: not asked again
        assert replica.usable(force=True)
    assert len(calls) == 2
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "read replica not used, pages read the primary: behind by 9.0 s (limit 5 s)",
        "read replica back in use",
    ]
    replica.forget()


@pytest.mark.django_db
def test_a_write_marks_the_session_for_read_your_writes(monkeypatch, client_for):
    """A signed-in POST leaves the primary's WAL position in the session; a GET does not."""
    from django.urls import reverse

    from onward.accounts import roles

    monkeypatch.setattr(replica, "configured", lambda: True)
    monkeypatch.setattr(replica, "primary_lsn", lambda: "0/16B3748")
    monkeypatch.setattr(replica, "usable", lambda **_: False)  # never the (absent) replica
    client = client_for(roles.ADMIN)
    client.get(reverse("case_list"))
    assert replica.WROTE_LSN not in client.session
    response = client.post(
        reverse("api_case_list"),
        {"principal": {"given_name": "Ali", "family_name": "Ahmadi", "sex": "M"}},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert client.session[replica.WROTE_LSN] == "0/16B3748"
