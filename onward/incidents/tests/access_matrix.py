import datetime as dt

from django.urls import reverse

from onward.web.tests.matrix import Row, outcome


def world(users) -> dict:
    from onward.accounts import roles
    from onward.conftest import principal_data
    from onward.incidents import services
    from onward.registry import services as registry

    officer = users[roles.PROTECTION]
    case = registry.case_create(
        actor=users[roles.CLERK], principal=principal_data(), arrival_date=dt.date(2012, 2, 18)
    )
    incident = services.incident_create(
        actor=officer,
        data={"occurred_at": "2013-12-26 06:00", "type": "indirect_fire", "place": "Block D"},
    )
    services.claim_add(
        actor=officer,
        incident=incident,
        data={
            "source": "Reuters",
            "cites": "the camp's spokesperson",
            "stated_on": "2013-12-26",
            "killed": 3,
        },
    )
    pr = services.protection_request_create(
        actor=officer,
        incidents=[incident],
        data={
            "authority": "Government of Iraq",
            "request": "T-walls around the site",
            "requested_on": "2013-12-27",
        },
    )
    return {
        "incident": incident.pk,
        "request": pr.pk,
        "version": pr.version,
        "person": case.members.get().person_id,
    }


VIEWERS = dict(DL=403)
RECORDERS = dict(CL=403, RS=403, DL=403, AU=403)
API_VIEW = dict(anon=403, DL=403)
API_RECORD = dict(anon=403, CL=403, RS=403, DL=403, AU=403)


def _i(name):
    return lambda w: reverse(name, kwargs={"incident_id": w["incident"]})


def _r(name):
    return lambda w: reverse(name, kwargs={"request_id": w["request"]})


ROWS = [
    Row("incident_list", lambda w: reverse("incident_list"), outcome(200, **VIEWERS)),
    Row("incident_create", lambda w: reverse("incident_create"), outcome(200, **RECORDERS)),
    Row(
        "incident_create",
        lambda w: reverse("incident_create"),
        outcome(302, **RECORDERS),
        method="post",
        body={"occurred_at": "2013-02-09", "type": "indirect_fire", "within_site": "on"},
    ),
    Row("incident_detail", _i("incident_detail"), outcome(200, **VIEWERS)),
    Row("claim_add", _i("claim_add"), outcome(200, **RECORDERS)),
    Row(
        "claim_add",
        _i("claim_add"),
        outcome(302, **RECORDERS),
        method="post",
        body={"source": "Camp spokesperson", "stated_on": "2013-12-26", "killed": "3"},
    ),
    Row(
        "victim_link",
        _i("victim_link"),
        outcome(302, **RECORDERS),
        method="post",
        body={"person": "P000001", "outcome": "killed"},
    ),
    Row(
        "protection_request_list",
        lambda w: reverse("protection_request_list"),
        outcome(200, **VIEWERS),
    ),
    Row(
        "protection_request_create",
        lambda w: reverse("protection_request_create"),
        outcome(200, **RECORDERS),
    ),
    Row("protection_request_detail", _r("protection_request_detail"), outcome(200, **VIEWERS)),
    Row(
        "protection_request_update",
        _r("protection_request_update"),
        outcome(302, **RECORDERS),
        method="post",
        body={"status": "acknowledged", "on": "2014-01-05", "version": 1},
    ),
    Row("api_incidents", lambda w: reverse("api_incidents"), outcome(200, **API_VIEW)),
    Row(
        "api_incidents",
        lambda w: reverse("api_incidents"),
        outcome(201, **API_RECORD),
        method="post",
        body={"occurred_at": "2013-06-15", "type": "indirect_fire"},
    ),
    Row("api_incident_detail", _i("api_incident_detail"), outcome(200, anon=403, DL=404)),
    Row("api_incident_claims", _i("api_incident_claims"), outcome(200, anon=403, DL=404)),
    Row(
        "api_incident_claims",
        _i("api_incident_claims"),
        outcome(201, **API_RECORD),
        method="post",
        body={"source": "AFP", "stated_on": "2013-12-27", "killed": 3, "injured": None},
    ),
    Row(
        "api_incident_victims",
        _i("api_incident_victims"),
        outcome(201, **API_RECORD),
        method="post",
        body={"person_id": "P000001", "outcome": "killed"},
    ),
]
