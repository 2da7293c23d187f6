"""The served OpenAPI schema, exercised by Schemathesis against the running application.

For each role, every operation is called with generated input (valid input on records
that exist, and invalid input), a few examples each, derandomized and without
shrinking so the run is the same on every machine and stays short. Every answer must be
no server error, a status the schema documents, and a body that matches the schema.
Anonymous calls to every operation must be refused.
"""

import json
import secrets
import traceback
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from onward.accounts import roles

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

EXAMPLES = 4  # per operation, per kind of input (valid, invalid), per role
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    positive_data_acceptance,
    negative_data_rejection,
]
# Operations whose valid input obeys a rule no OpenAPI schema can state, so that input the
# schema calls valid may rightly be refused with 400: the positive-data check is left out
# for these only (every other check still runs on them). Each with its rule; the rule is
# also in the operation's description or its fields' (docs/security.md, "400 and 409").
CROSS_FIELD = {
    # "Give a document number or a phone (or both)": either one, not both required.
    "POST /api/persons/lookup/",
    # What a step needs depends on its action: a reason to hold or reject, a pledge to
    # submit, a category and priority to assess, a kind to check an exit.
    "POST /api/relocation/cases/{case_id}/transitions/",
    # A claim is stated on or after the day of its incident (another record's date).
    "POST /api/incidents/{incident_id}/claims/",
    # The persons named are members of this case, the other case one the caller may see,
    # the change or link one of this case (and the principal moves only with a successor).
    "POST /api/cases/{case_id}/composition/move/",
    "POST /api/cases/{case_id}/composition/split/",
    "POST /api/cases/{case_id}/composition/link/",
    "POST /api/cases/{case_id}/composition/changes/{change_id}/undo/",
    "POST /api/cases/{case_id}/composition/links/{link_id}/end/",
    # The person is a member of a case accepted under the pledge, the requirement one its
    # country (or the pledge) has, `valid_until` not before `on` nor the document's issue
    # date, a waiver only of what may be waived; dates within the operation.
    "POST /api/readiness/pledges/{pledge_id}/facts/",
    "POST /api/readiness/pledges/{pledge_id}/confirm/",
}
# Values whose bounds move with the clock or the operation's settings (a date from
# ONWARD_OPERATION_START to tomorrow, onward/bounds.py), or are the operation's own codes
# (ISO country codes, capacity dimensions, a person file's header): the schema describes
# them and the server names the value at fault, but no static schema can enumerate them.
VALUE_RULES = {
    "GET /api/population/",  # `on`: a report date within the operation
    "GET /api/population/series/",  # `from`, `to`: report dates within the operation
    "POST /api/transfers/{transfer_id}/date/",  # a planned date, at most ten years ahead
    "POST /api/incidents/",  # `occurred_at`: an event's date, within the operation
    "POST /api/imports/",  # a .csv or .xlsx file whose header is the person file's
    "POST /api/relocation/pledges/",  # ISO country, known capacity dimensions, dates
    "POST /api/cases/",  # birth date, nationality, phone, needs codes (the import's rules)
    "POST /api/cases/{case_id}/members/",  # the same rules as a new case's principal
    "POST /api/matching/runs/",  # predictions name the operation's cases and pledges
    "GET /api/readiness/",  # `on`: a date within the operation, or planned ahead
    "GET /api/readiness/pledges/{pledge_id}/",  # the same
}
NOT_POSITIVE_CHECKED = CROSS_FIELD | VALUE_RULES
ROLES = [roles.ADMIN, roles.CLERK, roles.DELEGATION, roles.AUDITOR]
# API URLs that are not operations of the schema: the schema itself and its viewer.
OUTSIDE_SCHEMA = {"/api/schema/", "/api/docs/"}


@pytest.fixture
def world(users):
    """One record of each kind the API addresses, shared with the ALB delegation, so that
    generated input also lands on records that exist."""
    import datetime as dt

    from onward.incidents import services as incidents
    from onward.matching.tests.access_matrix import assessed_case, open_pledge, solved_run
    from onward.movements import services as movements
    from onward.relocation.models import State
    from onward.relocation.tests.factories import bring_to, make_case, pledge

    albania = pledge(users, country="ALB", persons=40)
    case = bring_to(users, make_case(users, size=2), State.SUBMITTED, pledge_=albania)
    transfer = movements.transfer_plan(
        actor=users[roles.ADMIN], pledge=albania, date=dt.date(2013, 5, 1), seats=10
    )
    incident = incidents.incident_create(
        actor=users[roles.PROTECTION],
        data={"occurred_at": "2013-02-09 06:00", "type": "indirect_fire", "place": "Block D"},
    )
    open_pledge(users, country="DEU", persons=4)
    assessed_case(users, size=2)
    run = solved_run(users)
    from onward.jobs.models import Job

    upload = Job.objects.create(
        kind="import",
        created_by=users[roles.ADMIN],
        status="done",
        params={"name": "people.csv", "stored": "x-people.csv"},
        result={"rows": 1, "errors": 0, "applied": True},
    )
    return {
        "import_id": str(upload.pk),
        "case_id": case.case_id,
        "person_id": case.members.get(relationship="principal").person_id,
        "pledge_id": albania.pk,
        "submission_id": case.submissions.get().pk,
        "transfer_id": transfer.pk,
        "incident_id": incident.pk,
        "run_id": run.pk,
    }


@pytest.fixture
def app():
    """The WSGI application as onward/wsgi.py serves it, built with the test's settings."""
    return WSGIHandler()


@pytest.fixture
def schema(client_for):
    response = client_for(roles.ADMIN).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return schemathesis.openapi.from_dict(json.loads(response.content))


@contextmanager
def _same_connection():
    """The application runs in the test's thread, inside the test's transaction: keep
    Django from closing that connection at the end of each request (as its test client
    does), and keep the traceback of any server error for the report."""
    errors = []

    def keep(sender, request=None, **kwargs):
        errors.append(traceback.format_exc())

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(keep)
    try:
        yield errors
    finally:
        got_request_exception.disconnect(keep)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


def _bounded(strategy, examples: int = EXAMPLES):
    """Runs a test over `strategy`: few examples, derandomized, no shrinking, no example
    database (the same run everywhere, short)."""

    def runner(test):
        return settings(
            max_examples=examples,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )(given(case=strategy)(test))

    return runner


def _report(case, response, group) -> str:
    """The request and what was wrong with the answer, short enough to read in a list."""
    body = "" if isinstance(case.body, NotSet) else f" body={case.body!r:.400}"
    problems = "; ".join(f"{f.title}: {f.message[:600]}" for f in group.exceptions)
    return (
        f"{case.method} {case.formatted_path} query={case.query!r:.200}{body}\n"
        f"  -> {response.status_code} {response.text[:300]}\n  {problems}"
    )


def _checks(operation):
    return [
        c
        for c in CHECKS
        if not (c is positive_data_acceptance and operation.label in NOT_POSITIVE_CHECKED)
    ]


def _credentials(case, auth):
    """The signed-in session, except for a case whose invalid part is the session cookie
    itself (the schema's cookie authentication): sent as generated, it must be refused.
    Sending our session over it would make a valid request of it."""
    cookie = case.meta.components.get(ParameterLocation.COOKIE) if case.meta else None
    return {} if cookie is not None and cookie.mode.is_negative else auth


def _signed_in(client):
    """Cookies and header of a signed-in browser session, CSRF token included (unsafe
    methods need it under session authentication)."""
    token = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
    # Accept-Encoding: Schemathesis asks for gzip, as requests does, but its WSGI transport
    # hands the compressed body to its checks as it came (a browser decodes it).
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
        "headers": {"X-CSRFToken": token, "Accept-Encoding": "identity"},
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_within_its_schema(role, app, schema, world, client_for):
    auth = _signed_in(client_for(role))
    failures = []
    with _same_connection() as server_errors:
        for operation in _operations(schema):
            known = {p.name: world[p.name] for p in operation.path_parameters if p.name in world}
            # Valid input on records that exist (random ids would mostly meet a 404), and
            # invalid input anywhere.
            strategies = [
                operation.as_strategy(GenerationMode.POSITIVE, path_parameters=known),
                operation.as_strategy(GenerationMode.NEGATIVE),
            ]
            for strategy in strategies:

                @_bounded(strategy)
                def call(case):
                    response = case.call(app=app, **_credentials(case, auth))
                    try:
                        case.validate_response(response, checks=_checks(case.operation))
                    except FailureGroup as group:
                        raise AssertionError(_report(case, response, group)) from None

                try:
                    call()
                except AssertionError as exc:
                    trace = f"\n...{server_errors[-1][-1500:]}" if server_errors else ""
                    failures.append(f"{role} {operation.label}: {exc}{trace}")
                    server_errors.clear()
                    break  # one failure per operation is enough to act on
    assert not failures, "\n\n".join(failures)


def test_no_operation_answers_without_signing_in(app, schema, world):
    reached = []
    with _same_connection():
        for operation in _operations(schema):
            known = {p.name: world[p.name] for p in operation.path_parameters if p.name in world}

            @_bounded(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=known), 2)
            def call(case):
                response = case.call(app=app)
                if response.status_code not in (401, 403):
                    reached.append(f"{case.operation.label}: {response.status_code}")

            call()
    assert not reached, reached


def _api_routes(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _api_routes(entry, route)
        elif isinstance(entry, URLPattern) and route.startswith("api/"):
            yield "/" + route


def test_every_api_url_is_in_the_schema_so_the_anonymous_sweep_covers_it(schema):
    documented = {
        operation.path.replace("{", "<").replace("}", ">") for operation in _operations(schema)
    }
    routes = {
        r.replace("<int:", "<").replace("<str:", "<").replace("<uuid:", "<") for r in _api_routes()
    }
    assert routes - documented == OUTSIDE_SCHEMA


@pytest.mark.parametrize("url", sorted(OUTSIDE_SCHEMA))
def test_the_schema_and_its_viewer_need_signing_in(client, url):
    assert client.get(url).status_code == 403
