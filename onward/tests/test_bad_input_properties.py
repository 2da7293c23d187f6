"""Issue 16: the main forms and API endpoints, driven by Hypothesis with extreme values
(huge integers, far dates, long strings, hiding and control characters, deep JSON, wrong
types), one field at a time on an otherwise valid request: never a 500.

Derandomized, so every machine runs the same examples; the test client raises any server
error as the exception itself, which Hypothesis then reports with its smallest example.
"""

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onward.accounts import roles
from onward.conftest import principal_data

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

HUGE_INTS = st.one_of(
    st.integers(min_value=2**31 - 2, max_value=2**70),
    st.integers(min_value=-(2**70), max_value=-1),
    st.sampled_from([0, 2**63 - 1, 2**63, 2**64, 10**30, 1_000_001]),
)
FAR_DATES = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(str),
    st.sampled_from(
        [
            "0001-01-01",
            "9999-12-31",
            "1899-12-31",
            "2013-02-30",
            "10000-01-01",
            "0000-00-00",
            "9999-12-31T23:59:59",
            "2013-13-01",
            "-1",
            "२०१३-०१-०१",
        ]
    ),
)
HIDING = (
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\ufeff"
    "\x00\x07\x1b\x7f\n\r\t"
)
TEXTS = st.one_of(
    st.text(alphabet=st.sampled_from(HIDING + "aبc"), min_size=1, max_size=20),
    st.text(min_size=250, max_size=5000),
    st.sampled_from(["", " ", "x" * 100_001, "²", "١٢", "NaN", "null", "'; DROP TABLE--"]),
)


def _deep(depth: int):
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


WRONG_TYPES = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=False),
    st.just([]),
    st.just({}),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.sampled_from([20, 40, 1000]).map(_deep),
)
EXTREME = st.one_of(HUGE_INTS, FAR_DATES, TEXTS, WRONG_TYPES)


def _world(users):
    from onward.incidents import services as incidents
    from onward.movements import services as movements
    from onward.registry import services as registry
    from onward.relocation.tests.factories import pledge

    case = registry.case_create(
        actor=users[roles.CLERK], principal=principal_data(), arrival_date=dt.date(2013, 1, 5)
    )
    albania = pledge(users, country="ALB", persons=40)
    transfer = movements.transfer_plan(
        actor=users[roles.ADMIN], pledge=albania, date=dt.date(2013, 5, 1), seats=10
    )
    incident = incidents.incident_create(
        actor=users[roles.PROTECTION],
        data={"occurred_at": "2013-02-09 06:00", "type": "indirect_fire", "place": "Block D"},
    )
    person = case.members.get()
    return {
        "case": case.case_id,
        "person": person.person_id,
        "pledge": albania.pk,
        "transfer": transfer.pk,
        "incident": incident.pk,
    }


def _targets(w) -> list[tuple[str, str, str, dict]]:
    """(method, url, body kind, valid body or query) of each endpoint driven."""
    principal = principal_data(specific_needs=[])
    return [
        ("post", "/api/cases/", "json", {"arrival_date": "2013-03-01", "principal": principal}),
        (
            "patch",
            f"/api/persons/{w['person']}/",
            "json",
            {"family_name": "Rezaei", "birth_date": "1970", "version": 1},
        ),
        (
            "post",
            f"/api/cases/{w['case']}/members/",
            "json",
            {**principal, "relationship": "child", "given_name": "Reza"},
        ),
        (
            "post",
            "/api/departures/",
            "json",
            {"person_id": w["person"], "kind": "left_own_accord", "on": "2013-04-01"},
        ),
        (
            "post",
            "/api/births/",
            "json",
            {"mother": w["person"], "on": "2013-04-01", "given_name": "Sara"},
        ),
        (
            "post",
            "/api/transfers/",
            "json",
            {"pledge": w["pledge"], "date": "2013-06-01", "seats": 5},
        ),
        (
            "post",
            f"/api/transfers/{w['transfer']}/date/",
            "json",
            {"date": "2013-06-02", "reason": "flight moved", "version": 1},
        ),
        (
            "post",
            "/api/relocation/pledges/",
            "json",
            {
                "country": "NOR",
                "name": "Norway",
                "valid_from": "2013-01-01",
                "max_case_size": 8,
                "capacities": {"persons": 60},
            },
        ),
        (
            "post",
            "/api/incidents/",
            "json",
            {"occurred_at": "2013-02-09T05:30", "type": "indirect_fire", "place": "Block D"},
        ),
        (
            "post",
            f"/api/incidents/{w['incident']}/claims/",
            "json",
            {"source": "UNAMI", "stated_on": "2013-02-10", "killed": 2, "injured": 5},
        ),
        ("get", "/api/population/", "query", {"on": "2013-03-01"}),
        ("get", "/api/population/series/", "query", {"from": "2013-01-01", "to": "2013-06-01"}),
        ("get", "/api/departures/", "query", {"year": "2013", "kind": "left_own_accord"}),
        ("get", "/api/relocation/funnel/", "query", {"as_of": "2013-03-01", "pledge": "1"}),
        ("get", "/api/persons/", "query", {"q": "rez", "sex": "M", "page": "1"}),
        ("post", "/cases/new/", "form", {**principal, "arrival_date": "2013-03-01"}),
        (
            "post",
            "/relocation/pledges/new/",
            "form",
            {
                "country": "NOR",
                "name": "Norway",
                "valid_from": "2013-01-01",
                "status": "open",
                "capacity_persons": "60",
                "max_case_size": "8",
            },
        ),
        (
            "post",
            "/population/departures/new/",
            "form",
            {"person": w["person"], "kind": "left_own_accord", "on": "2013-04-01"},
        ),
        (
            "post",
            "/transfers/new/",
            "form",
            {"pledge": w["pledge"], "date": "2013-06-01", "seats": "5"},
        ),
        (
            "post",
            "/incidents/new/",
            "form",
            {"occurred_at": "2013-02-09", "type": "indirect_fire", "place": "Block D"},
        ),
        (
            "post",
            f"/api/relocation/cases/{w['case']}/transitions/",
            "json",
            {"action": "identify", "version": 1, "reason": "x", "priority": "normal"},
        ),
        (
            "post",
            "/protection-requests/new/",
            "form",
            {
                "authority": "UNAMI",
                "request": "Protect block D",
                "requested_on": "2013-02-10",
                "follow_up_on": "2013-02-20",
            },
        ),
        (
            "post",
            "/population/reported/new/",
            "form",
            {
                "place": "Camp Ashraf",
                "kind": "left_own_accord",
                "persons": "17",
                "left_on": "2012-12-31",
                "left_on_precision": "D",
                "source": "UNHCR",
                "stated_on": "2013-01-05",
            },
        ),
        (
            "post",
            "/population/births/new/",
            "form",
            {"mother": w["person"], "on": "2013-04-01", "given_name": "Sara"},
        ),
        (
            "post",
            "/matching/policies/new/",
            "form",
            {
                "name": "Heavy",
                "w_priority_emergency": "100",
                "w_priority_urgent": "50",
                "w_priority_normal": "10",
                "w_family_link": "30",
                "w_preference": "15",
                "w_per_month_waited": "1",
                "w_max_months": "36",
                "w_predicted_outcome": "0",
            },
        ),
        (
            "get",
            "/reports/records/",
            "query",
            {"as_of": "2013-03-01", "figure": "population", "page": "2"},
        ),
        ("get", "/reports/csv/population_by_sex/", "query", {"as_of": "2013-03-01"}),
        ("get", "/api/relocation/submissions/", "query", {"pledge": "1", "decision": "accepted"}),
        ("get", "/api/incidents/", "query", {"type": "indirect_fire", "page": "1"}),
        ("get", "/incidents/", "query", {"year": "2013", "type": "indirect_fire"}),
        ("get", "/reports/", "query", {"as_of": "2013-03-01", "rule": "latest_official"}),
        ("get", "/reports/situation.xlsx", "query", {"as_of": "2013-03-01"}),
        ("get", "/population/", "query", {"on": "2013-03-01", "from": "2013-01-01"}),
        ("get", "/audit/", "query", {"date_from": "2013-01-01", "object_id": "P1"}),
        ("get", "/persons/", "query", {"q": "rez", "page": "2"}),
    ]


def _as_form_value(value) -> str:
    return json.dumps(value) if isinstance(value, (list, dict)) else str(value)


def _send(client, method, url, kind, body):
    if kind == "json":
        payload = json.dumps(body, allow_nan=True)
        return getattr(client, method)(url, payload, content_type="application/json")
    data = {k: _as_form_value(v) for k, v in body.items()}
    return getattr(client, method)(url, data)


@pytest.fixture
def driven(client, users):
    world = _world(users)
    client.force_login(users[roles.ADMIN])
    return client, _targets(world)


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_extreme_value_answers_500(driven, data):
    client, targets = driven
    method, url, kind, body = data.draw(st.sampled_from(targets), label="endpoint")
    field = data.draw(st.sampled_from(sorted(body)), label="field")
    value = data.draw(EXTREME, label="value")
    response = _send(client, method, url, kind, {**body, field: value})
    assert response.status_code < 500, (method, url, field, response.status_code)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_no_whole_body_of_the_wrong_shape_answers_500(driven, data):
    client, targets = driven
    method, url, kind, _body = data.draw(
        st.sampled_from([t for t in targets if t[2] == "json"]), label="endpoint"
    )
    body = data.draw(st.one_of(WRONG_TYPES, HUGE_INTS, TEXTS), label="body")
    response = _send(client, method, url, "json", body)
    assert response.status_code < 500, (method, url, response.status_code)
