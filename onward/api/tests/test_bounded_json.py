"""Issue 16: a JSON body nested too deep or too large answers 400 with the reason, never a
500 (RecursionError) and never read past DATA_UPLOAD_MAX_MEMORY_SIZE."""

import json

import pytest
from django.test import override_settings

from onward import bounds
from onward.accounts import roles
from onward.api.parsers import nesting_depth
from onward.conftest import principal_data
from onward.registry.models import Case

pytestmark = pytest.mark.django_db


def test_a_body_nested_100000_deep_is_refused(client_for):
    body = "[" * 100_000 + "]" * 100_000
    response = client_for(roles.CLERK).post("/api/cases/", body, content_type="application/json")
    assert response.status_code == 400
    assert f"deeper than {bounds.JSON_MAX_DEPTH}" in response.json()["error"]


def test_a_body_nested_just_too_deep_is_refused_and_just_deep_enough_is_parsed(client_for):
    client = client_for(roles.CLERK)
    deep = {"principal": principal_data()}
    for _ in range(bounds.JSON_MAX_DEPTH - 2):
        deep = {"x": deep}
    # The wrapping object makes it one level deeper than the limit.
    response = client.post("/api/cases/", {"principal": deep}, content_type="application/json")
    assert response.status_code == 400 and "nested deeper" in response.json()["error"]
    ok = client.post(
        "/api/cases/",
        {"principal": principal_data(), "arrival_date": None},
        content_type="application/json",
    )
    assert ok.status_code == 201


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2048)
def test_a_body_larger_than_the_upload_limit_is_refused(client_for):
    body = json.dumps({"principal": principal_data(given_name="A" * 4000)})
    response = client_for(roles.CLERK).post("/api/cases/", body, content_type="application/json")
    assert response.status_code == 400
    assert "larger than 2,048 bytes" in response.json()["error"]
    assert not Case.objects.exists()


def test_brackets_inside_strings_do_not_count():
    assert nesting_depth(b'{"a": "[[[[[[[[[[", "b": [1, {"c": "\\"]]]{{"}]}', 40) == 3
    assert nesting_depth(b"[" * 100 + b"]" * 100, 32) == 33  # stops once past the limit


def test_malformed_json_is_still_a_clear_400(client_for):
    response = client_for(roles.CLERK).post(
        "/api/cases/", b"{\xff\xfe", content_type="application/json"
    )
    assert response.status_code == 400 and "JSON parse error" in response.json()["error"]
