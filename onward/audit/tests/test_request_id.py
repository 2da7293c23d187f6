"""One id per request, in its audit entries, its server log line and its answer's
X-Request-ID header: the trusted proxy's id when it sends one, Onward's own otherwise."""

import logging
import re

import pytest
from django.core.management import call_command
from django.test import override_settings

from onward.accounts import roles
from onward.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

HEX32 = re.compile(r"[0-9a-f]{32}")


def test_a_request_gets_an_id_that_its_audit_entries_and_its_answer_carry(client_for, case):
    client = client_for(roles.CLERK)
    person = case.members.get(relationship="principal").person_id
    response = client.get(f"/persons/{person}/")
    request_id = response["X-Request-ID"]
    assert response.status_code == 200 and HEX32.fullmatch(request_id)
    entry = AuditEntry.objects.get(action="view", object_id=person)
    assert entry.request_id == request_id
    # Each request its own id.
    assert client.get(f"/persons/{person}/")["X-Request-ID"] != request_id


def test_a_refusal_logs_the_same_id_as_its_audit_entry(client_for, caplog):
    client = client_for(roles.CLERK)
    with caplog.at_level(logging.WARNING):
        response = client.get("/cases/C99999/")
    request_id = response["X-Request-ID"]
    assert response.status_code == 404
    assert [r.getMessage() for r in caplog.records] == [
        f"404 Not Found: /cases/C99999/ [request {request_id}]"
    ]
    denied = AuditEntry.objects.get(action=AuditEntry.Action.DENIED, object_id="C99999")
    assert denied.request_id == request_id


@override_settings(ONWARD_TRUSTED_PROXIES=["10.0.0.1"])
def test_the_trusted_proxy_id_is_kept_and_anyone_elses_replaced(client_for):
    client = client_for(roles.CLERK)

    def answered(remote, given):
        return client.get("/", REMOTE_ADDR=remote, HTTP_X_REQUEST_ID=given)["X-Request-ID"]

    assert answered("10.0.0.1", "7f3a9c2e5b1d4e6f8a0b2c4d6e8f0a1b") == (
        "7f3a9c2e5b1d4e6f8a0b2c4d6e8f0a1b"
    )
    # A client talking to the server directly does not choose the id its entries get,
    assert HEX32.fullmatch(answered("192.0.2.7", "chosen-by-client"))
    # and the proxy's header is refused when it is not an id (log injection, size).
    assert HEX32.fullmatch(answered("10.0.0.1", "bad id\nINJECTED"))
    assert HEX32.fullmatch(answered("10.0.0.1", "x" * 65))


def test_entries_written_outside_a_request_have_no_id(users, tmp_path):
    call_command("export", out=str(tmp_path / "p.csv"), user="t_datamanager")
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).latest("id")
    assert entry.channel == "cli" and entry.request_id is None
