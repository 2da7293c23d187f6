"""The client's address behind a proxy: believed from the proxy only."""

import pytest
from django.test import RequestFactory, override_settings

from onward.audit.middleware import client_ip
from onward.audit.models import AuditEntry


def _ip(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


@override_settings(ONWARD_TRUSTED_PROXIES=["127.0.0.1", "10.8.0.0/16"])
def test_the_trusted_proxy_names_the_client_in_its_last_forwarded_address():
    assert _ip("127.0.0.1", "203.0.113.7") == "203.0.113.7"
    assert _ip("10.8.4.2", "198.51.100.1, 203.0.113.7") == "203.0.113.7"
    assert _ip("127.0.0.1") == "127.0.0.1"
    assert _ip("127.0.0.1", "not-an-address") == "127.0.0.1"


@override_settings(ONWARD_TRUSTED_PROXIES=["127.0.0.1"])
def test_a_client_that_reaches_the_server_directly_cannot_choose_its_address():
    assert _ip("192.0.2.50", "203.0.113.7") == "192.0.2.50"


@override_settings(ONWARD_TRUSTED_PROXIES=[])
def test_without_a_proxy_the_header_is_never_read():
    assert _ip("127.0.0.1", "203.0.113.7") == "127.0.0.1"


@pytest.mark.django_db
@override_settings(ONWARD_TRUSTED_PROXIES=["127.0.0.1"])
def test_a_failed_sign_in_through_the_proxy_is_audited_with_the_clients_address(client, users):
    client.post(
        "/login/",
        {"username": "t_clerk", "password": "wrong-password-1"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED).latest("id")
    assert entry.ip == "203.0.113.7"
