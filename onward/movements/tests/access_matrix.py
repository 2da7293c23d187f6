import datetime as dt

from django.urls import reverse

from onward.conftest import principal_data
from onward.registry import services as registry
from onward.web.tests.matrix import Row, outcome


# Registry ids are given out by a counter rolled back with each test: the world below
# always makes P000001 (principal), P000002 (his wife), P000003 (departed), and the ready
# cases C00003 (on the transfer) and C00004 (not on it).
def world(users) -> dict:
    from onward.accounts import roles
    from onward.movements import services
    from onward.movements.tests.factories import TRANSFER_DAY, ready_case
    from onward.relocation.tests.factories import pledge

    clerk, officer, rs = users[roles.CLERK], users[roles.PROTECTION], users[roles.RESETTLEMENT]
    case = registry.case_create(actor=clerk, principal=principal_data())
    mother = registry.person_add(
        actor=clerk,
        case=case,
        person=principal_data(
            given_name="Maryam", sex="F", relationship="spouse", document_number=""
        ),
    )
    gone = registry.case_create(actor=clerk, principal=principal_data(given_name="Reza"))
    gone_person = gone.members.get()
    services.departure_record(
        actor=officer, person=gone_person, kind="left_own_accord", on=dt.date.today()
    )
    albania = pledge(users)
    ready = [ready_case(users, albania, size=1) for _ in range(2)]
    transfer = services.transfer_plan(actor=rs, pledge=albania, date=TRANSFER_DAY, seats=9)
    line = services.transfer_case_add(actor=rs, transfer=transfer, case=ready[0])
    return {
        "person": case.members.get(relationship="principal").person_id,
        "mother": mother.person_id,
        "departed": gone_person.person_id,
        "pledge": albania.pk,
        "transfer": transfer.pk,
        "line": line.pk,
        "ready": ready[1].case_id,
    }


VIEWERS = dict(DL=403)
RECORDERS = dict(CL=403, RS=403, DL=403, AU=403)
MANAGERS = dict(DM=403, CL=403, PR=403, DL=403, AU=403)
API_VIEW = dict(anon=403, DL=403)
API_RECORD = dict(anon=403, CL=403, RS=403, DL=403, AU=403)
API_MANAGE = dict(anon=403, DM=403, CL=403, PR=403, DL=403, AU=403)
TODAY = str(dt.date.today())


def _t(name, **extra):
    return lambda w: reverse(
        name, kwargs={"transfer_id": w["transfer"], **{k: w[v] for k, v in extra.items()}}
    )


ROWS = [
    Row("ledger", lambda w: reverse("ledger"), outcome(200, **VIEWERS)),
    Row("departure_create", lambda w: reverse("departure_create"), outcome(200, **RECORDERS)),
    Row(
        "departure_create",
        lambda w: reverse("departure_create"),
        outcome(302, **RECORDERS),
        method="post",
        body={"person": "P000001", "kind": "deceased", "on": TODAY},
    ),
    Row("birth_create", lambda w: reverse("birth_create"), outcome(200, **RECORDERS)),
    Row(
        "reported_departure_create",
        lambda w: reverse("reported_departure_create"),
        outcome(200, **RECORDERS),
    ),
    Row(
        "reported_departure_create",
        lambda w: reverse("reported_departure_create"),
        outcome(302, **RECORDERS),
        method="post",
        body={
            "place": "Origin camp",
            "kind": "left_own_accord",
            "persons": "4",
            "left_on": "2013-06-30",
            "left_on_precision": "D",
            "source": "News reports",
            "stated_on": "2013-07-01",
        },
    ),
    Row(
        "departure_correct",
        lambda w: reverse("departure_correct", kwargs={"person_id": w["departed"]}),
        outcome(200, **RECORDERS),
    ),
    Row(
        "departure_correct",
        lambda w: reverse("departure_correct", kwargs={"person_id": w["departed"]}),
        outcome(302, **RECORDERS),
        method="post",
        body={"reason": "found in block C"},
    ),
    Row("transfer_list", lambda w: reverse("transfer_list"), outcome(200, **VIEWERS)),
    Row("transfer_create", lambda w: reverse("transfer_create"), outcome(200, **MANAGERS)),
    Row("transfer_detail", _t("transfer_detail"), outcome(200, **VIEWERS)),
    Row(
        "transfer_case_add",
        _t("transfer_case_add"),
        outcome(302, **MANAGERS),
        method="post",
        body={"case": "C99999"},
    ),
    Row(
        "transfer_case_remove",
        _t("transfer_case_remove", line_id="line"),
        outcome(302, **MANAGERS),
        method="post",
        body={"reason": "no-show"},
    ),
    Row(
        "transfer_person_hold",
        _t("transfer_person_hold", line_id="line"),
        outcome(302, **MANAGERS),
        method="post",
        body={"person": "P000004", "reason": "medical hold"},
    ),
    Row(
        "transfer_line_correct",
        _t("transfer_line_correct", line_id="line"),
        outcome(302, **MANAGERS),
        method="post",
        body={"reason": "did not board"},
    ),
    Row("transfer_confirm", _t("transfer_confirm"), outcome(302, **MANAGERS), method="post"),
    Row(
        "transfer_cancel",
        _t("transfer_cancel"),
        outcome(302, **MANAGERS),
        method="post",
        body={"reason": "flight cancelled"},
    ),
    Row(
        "transfer_reschedule",
        _t("transfer_reschedule"),
        outcome(302, **MANAGERS),
        method="post",
        body={"date": "2013-04-09", "reason": "flight moved"},
    ),
    Row("manifest_csv", _t("manifest_csv"), outcome(200, **MANAGERS)),
    Row("manifest_pdf", _t("manifest_pdf"), outcome(200, **MANAGERS)),
    Row("api_population", lambda w: reverse("api_population"), outcome(200, **API_VIEW)),
    Row(
        "api_population_series",
        lambda w: reverse("api_population_series"),
        outcome(200, **API_VIEW),
    ),
    Row("api_departures", lambda w: reverse("api_departures"), outcome(200, **API_VIEW)),
    Row(
        "api_departures",
        lambda w: reverse("api_departures"),
        outcome(201, **API_RECORD),
        method="post",
        body={"person_id": "P000001", "kind": "repatriated", "on": TODAY},
    ),
    Row(
        "api_departure_correction",
        lambda w: reverse("api_departure_correction", kwargs={"person_id": w["departed"]}),
        outcome(201, **API_RECORD),
        method="post",
        body={"reason": "recorded in error"},
    ),
    Row(
        "api_births",
        lambda w: reverse("api_births"),
        outcome(201, **API_RECORD),
        method="post",
        body={"mother_id": "P000002", "on": TODAY, "given_name": "Nour", "sex": "F"},
    ),
    Row("api_transfers", lambda w: reverse("api_transfers"), outcome(200, **API_VIEW)),
    # Bodies are fixed while primary keys are not (PostgreSQL sequences survive a test's
    # rollback): a pledge that is not there shows who gets past the permission (404).
    Row(
        "api_transfers",
        lambda w: reverse("api_transfers"),
        outcome(404, **API_MANAGE),
        method="post",
        body={"pledge": 999999, "date": TODAY, "seats": 27},
    ),
    Row("api_transfer_detail", _t("api_transfer_detail"), outcome(200, anon=403, DL=404)),
    Row(
        "api_transfer_cases",
        _t("api_transfer_cases"),
        outcome(201, **API_MANAGE),
        method="post",
        body={"case_id": "C00004"},
    ),
    Row(
        "api_transfer_confirm",
        _t("api_transfer_confirm"),
        outcome(200, **API_MANAGE),
        method="post",
    ),
    Row(
        "api_transfer_date",
        _t("api_transfer_date"),
        outcome(200, **API_MANAGE),
        method="post",
        body={"date": "2013-04-09", "reason": "flight moved"},
    ),
]
