"""Issue 16: dates and counts out of any sensible range are refused at the door (web form
and API), with the field named, never stored and never a 500 later (onward/bounds.py)."""

import datetime as dt

import pytest
from django.test import override_settings

from onward import bounds
from onward.accounts import roles
from onward.conftest import principal_data
from onward.movements.models import LedgerEntry
from onward.registry.models import Case, Person
from onward.relocation.models import Pledge, PledgeCapacity

pytestmark = pytest.mark.django_db

FAR = ["0001-01-01", "9999-12-31", "1899-12-31"]


def _case_post(date: str) -> dict:
    data = principal_data(arrival_date=date, specific_needs=[])
    return {k: v for k, v in data.items() if v != []}


@pytest.mark.parametrize("date", FAR)
def test_a_far_arrival_is_refused_by_the_registration_form(client_for, date):
    response = client_for(roles.CLERK).post("/cases/new/", _case_post(date))
    assert response.status_code == 200
    assert "the earliest date" in response.text or "the latest date" in response.text
    assert not Person.objects.exists() and not LedgerEntry.objects.exists()


@pytest.mark.parametrize("date", FAR)
def test_a_far_arrival_is_refused_by_the_api(client_for, date):
    response = client_for(roles.CLERK).post(
        "/api/cases/",
        {"arrival_date": date, "principal": principal_data()},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "arrival_date" in response.json()["fields"]
    assert not Case.objects.exists() and not LedgerEntry.objects.exists()


def test_an_arrival_within_the_operation_is_taken(client_for):
    response = client_for(roles.CLERK).post(
        "/api/cases/",
        {"arrival_date": "2013-03-01", "principal": principal_data()},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert LedgerEntry.objects.get().date == dt.date(2013, 3, 1)


@override_settings(ONWARD_OPERATION_START=dt.date(2012, 1, 1))
def test_the_operation_start_is_a_setting(client_for):
    response = client_for(roles.CLERK).post(
        "/api/cases/",
        {"arrival_date": "2011-12-31", "principal": principal_data()},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "2012-01-01" in response.json()["fields"]["arrival_date"][0]


def test_a_far_arrival_is_refused_when_a_case_is_edited(client_for, case):
    response = client_for(roles.CLERK).post(
        f"/cases/{case.case_id}/edit/",
        {"arrival_date": "0001-01-01", "status": "open", "version": case.version},
    )
    assert response.status_code == 200 and "the earliest date" in response.text
    case.refresh_from_db()
    assert case.arrival_date is None


@pytest.mark.parametrize("birth", ["1899-12-31", "0001-01-01"])
def test_a_birth_date_before_1900_is_refused(client_for, birth):
    response = client_for(roles.CLERK).post(
        "/api/cases/",
        {"principal": principal_data(birth_date=birth)},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "1900-01-01" in response.json()["fields"]["birth_date"][0]


@pytest.mark.parametrize("on", ["0001-01-01", "9999-12-31"])
def test_a_far_departure_is_refused_web_and_api(client_for, case, on):
    person = case.members.first()
    client = client_for(roles.DATA_MANAGER)
    response = client.post(
        "/api/departures/",
        {"person_id": person.person_id, "kind": "left_own_accord", "on": on},
        content_type="application/json",
    )
    assert response.status_code == 400 and "on" in response.json()["fields"]
    response = client.post(
        "/population/departures/new/",
        {"person": person.person_id, "kind": "left_own_accord", "on": on},
    )
    assert response.status_code == 200 and "Onward accepts" in response.text
    assert not LedgerEntry.objects.filter(delta=-1).exists()


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31"])
def test_reports_refuse_a_far_date(client_for, as_of):
    client = client_for(roles.DATA_MANAGER)
    page = client.get(f"/reports/?as_of={as_of}")
    assert page.status_code == 200 and "Onward accepts" in page.text
    for url in (
        "/reports/situation.pdf",
        "/reports/situation.xlsx",
        "/reports/csv/population_by_sex/",
    ):
        response = client.get(f"{url}?as_of={as_of}")
        assert response.status_code == 400, url
        assert "report date" in response.text
    assert client.get(f"/reports/records/?as_of={as_of}&figure=population").status_code == 200
    response = client.get(f"/api/population/?on={as_of}")
    assert response.status_code == 400 and "on" in response.json()["fields"]
    assert client.get(f"/api/population/series/?to={as_of}").status_code == 400
    assert client.get(f"/api/relocation/funnel/?as_of={as_of}").status_code == 400
    assert client.get(f"/population/?on={as_of}&from={as_of}").status_code == 200


def test_the_ledger_page_says_a_bad_filter_date_is_not_applied(client_for):
    page = client_for(roles.DATA_MANAGER).get("/population/?from=9999-12-31")
    assert page.status_code == 200 and "It is not applied." in page.text


# --- counts ------------------------------------------------------------------------------

HUGE = [2**63, 2**63 - 1, 10**30, bounds.COUNT_MAX + 1]


@pytest.mark.parametrize("places", HUGE)
def test_a_huge_pledge_capacity_is_refused_by_the_form(client_for, places):
    response = client_for(roles.RESETTLEMENT).post(
        "/relocation/pledges/new/",
        {
            "country": "NOR",
            "name": "Norway 2013",
            "valid_from": "2013-01-01",
            "status": "open",
            "capacity_persons": str(places),
        },
    )
    assert response.status_code == 200
    assert "1,000,000" in response.text
    assert not Pledge.objects.exists()


@pytest.mark.parametrize("places", HUGE)
def test_a_huge_pledge_capacity_is_refused_by_the_api(client_for, places):
    response = client_for(roles.RESETTLEMENT).post(
        "/api/relocation/pledges/",
        {
            "country": "NOR",
            "name": "Norway 2013",
            "valid_from": "2013-01-01",
            "capacities": {"persons": places},
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "capacities" in response.json()["fields"]
    assert not PledgeCapacity.objects.exists()


def test_a_pledge_of_a_million_places_is_taken(client_for):
    response = client_for(roles.RESETTLEMENT).post(
        "/api/relocation/pledges/",
        {
            "country": "NOR",
            "name": "Norway 2013",
            "valid_from": "2013-01-01",
            "capacities": {"persons": bounds.COUNT_MAX},
        },
        content_type="application/json",
    )
    assert response.status_code == 201


def test_a_far_pledge_end_and_a_huge_case_size_are_refused(client_for):
    response = client_for(roles.RESETTLEMENT).post(
        "/api/relocation/pledges/",
        {
            "country": "NOR",
            "name": "Norway 2013",
            "valid_from": "2013-01-01",
            "valid_to": "9999-12-31",
            "max_case_size": 2**40,
            "capacities": {"persons": 5},
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {"valid_to", "max_case_size"} <= set(response.json()["fields"])


@pytest.mark.parametrize("at", ["9999-12-31T23:00", "0001-01-01T00:00", "0001-01-01"])
def test_a_far_incident_is_refused(client_for, at):
    response = client_for(roles.PROTECTION).post(
        "/api/incidents/",
        {"occurred_at": at, "type": "indirect_fire"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "occurred_at" in response.json()["fields"]


@pytest.mark.parametrize("figure", [2**63, 10**20])
def test_a_huge_claimed_figure_is_refused(client_for, figure):
    client = client_for(roles.PROTECTION)
    incident = client.post(
        "/api/incidents/",
        {"occurred_at": "2013-02-09T05:30", "type": "indirect_fire"},
        content_type="application/json",
    ).json()
    response = client.post(
        f"/api/incidents/{incident['id']}/claims/",
        {"source": "UNAMI", "stated_on": "2013-02-10", "killed": figure},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "killed" in response.json()["fields"]


def test_a_huge_scoring_weight_is_refused(client_for):
    from onward.matching import scoring
    from onward.matching.models import ScoringPolicy

    data = {
        f"w_{k}": str(v)
        for k, v in scoring.DEFAULT_WEIGHTS.items()
        if k not in ("priority", "need_served")
    }
    data.update({f"w_priority_{k}": str(v) for k, v in scoring.DEFAULT_WEIGHTS["priority"].items()})
    data.update(name="Heavy", note="", w_priority_emergency="1e300")
    response = client_for(roles.RESETTLEMENT).post("/matching/policies/new/", data)
    assert response.status_code == 200 and "1,000,000" in response.text
    assert not ScoringPolicy.objects.filter(name="Heavy").exists()
    with pytest.raises(Exception, match="not a number"):
        scoring.clean_weights({"family_link": 10**400})


def test_a_protection_request_is_recorded_when_several_incidents_exist(client_for, users):
    from onward.incidents import services as incidents
    from onward.incidents.models import ProtectionRequest

    made = [
        incidents.incident_create(
            actor=users[roles.PROTECTION],
            data={
                "occurred_at": f"2013-02-0{d} 06:00",
                "type": "indirect_fire",
                "place": "Block D",
            },
        )
        for d in (1, 2, 3)
    ]
    response = client_for(roles.PROTECTION).post(
        "/protection-requests/new/",
        {
            "authority": "UNAMI",
            "request": "Protect block D",
            "requested_on": "2013-02-10",
            "incidents": [str(made[1].pk)],
        },
    )
    assert response.status_code == 302
    assert list(ProtectionRequest.objects.get().incidents.all()) == [made[1]]


@pytest.mark.parametrize("year", ["2147483646", "99999", "0", "²", "9999"])
def test_an_impossible_incident_year_lists_nothing(client_for, year):
    response = client_for(roles.PROTECTION).get(f"/incidents/?year={year}")
    assert response.status_code == 200
