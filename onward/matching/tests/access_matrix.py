"""Who may reach each matching page and endpoint, and the small builders the matching
tests share (a pledge valid today, a case assessed today, a solved run)."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from onward.accounts import roles
from onward.matching import services
from onward.relocation import services as relocation
from onward.relocation.tests.factories import make_case, ready_to_submit
from onward.web.tests.matrix import Row, outcome

# --- Builders --------------------------------------------------------------------------------


def open_pledge(users, *, country="ALB", persons=10, name=None, **extra):
    """An open pledge valid from a month ago to a year from now."""
    today = timezone.localdate()
    data = {
        "country": country,
        "name": name or f"{country} pledge",
        "valid_from": str(today - dt.timedelta(days=30)),
        "valid_to": str(today + dt.timedelta(days=365)),
        "capacities": {"persons": persons, **extra.pop("capacities", {})},
        **extra,
    }
    return relocation.pledge_create(actor=users[roles.RESETTLEMENT], data=data)


def assessed_case(
    users, *, size=2, needs=(), nationality="IRN", priority="normal", category="LPN", **principal
):
    """A case identified and assessed now (ready for submission)."""
    case = make_case(users, size=size, needs=needs, nationality=nationality, **principal)
    rs = users[roles.RESETTLEMENT]
    relocation.case_identify(actor=rs, case=case)
    ready_to_submit(users, case)  # interviewed, and recommended with approval
    relocation.case_assess(actor=rs, case=case, category=category, priority=priority)
    return case


def solved_run(users, **kwargs):
    """A run started and solved at once (the job's work, without the queue)."""
    run = services.run_start(actor=users[roles.RESETTLEMENT], **kwargs)
    services.run_execute(run=run)
    run.refresh_from_db()
    return run


# --- The matrix ------------------------------------------------------------------------------


def world(users) -> dict:
    alb = open_pledge(users, persons=10)
    case = assessed_case(users, size=2)
    spare = assessed_case(users, size=2)
    run = solved_run(users)
    policy = run.policy
    link = services.case_link_add(
        actor=users[roles.RESETTLEMENT], case=case, country="DEU", kind="family"
    )
    return {
        "run": run.pk,
        "case": case.case_id,
        "spare": spare.case_id,
        "pledge": alb.pk,
        "policy": policy.pk,
        "policy_version": policy.version,
        "link": link.pk,
    }


def _u(name, **kw):
    return lambda w: reverse(name, kwargs={k: w[v] for k, v in kw.items()})


RUNNERS = dict(DM=403, CL=403, PR=403, DL=403, AU=403)  # matching.run: admin, resettlement
API_RUNNERS = dict(anon=403, **RUNNERS)

ROWS = [
    Row("match_list", _u("match_list"), outcome(200, **RUNNERS)),
    Row(
        "match_start",
        _u("match_start"),
        outcome(302, **RUNNERS),
        method="post",
        body={"policy": "", "time_limit": "10", "gap": "0.0001"},
    ),
    Row("match_run", _u("match_run", run_id="run"), outcome(200, **RUNNERS)),
    Row(
        "match_pin",
        _u("match_pin", run_id="run"),
        outcome(302, **RUNNERS),
        method="post",
        body={"case": "spare", "pledge": "1", "kind": "forbid"},
    ),
    Row("match_resolve", _u("match_resolve", run_id="run"), outcome(302, **RUNNERS), method="post"),
    Row(
        "match_accept",
        _u("match_accept", run_id="run"),
        outcome(302, **RUNNERS),
        method="post",
        body={"pledge": "all"},
    ),
    Row(
        "match_explain",
        _u("match_explain", run_id="run", case_id="case", pledge_id="pledge"),
        outcome(200, **RUNNERS),
    ),
    Row(
        "match_reproduce",
        _u("match_reproduce", run_id="run"),
        outcome(200, **RUNNERS),
        method="post",
    ),
    Row("policy_list", _u("policy_list"), outcome(200, **RUNNERS)),
    Row("policy_create", _u("policy_create"), outcome(200, **RUNNERS)),
    Row(
        "policy_create",
        _u("policy_create"),
        outcome(302, **RUNNERS),
        method="post",
        body={
            "name": "Medical first",
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
    Row("policy_detail", _u("policy_detail", policy_id="policy"), outcome(200, **RUNNERS)),
    Row("policy_edit", _u("policy_edit", policy_id="policy"), outcome(200, **RUNNERS)),
    Row("country_link_list", _u("country_link_list"), outcome(200, **RUNNERS)),
    Row(
        "country_link_list",
        _u("country_link_list"),
        outcome(302, **RUNNERS),
        method="post",
        body={"case_id": "C000001", "country": "NOR", "kind": "preference"},
    ),
    Row(
        "country_link_end",
        _u("country_link_end", link_id="link"),
        outcome(302, **RUNNERS),
        method="post",
    ),
    Row("api_match_runs", _u("api_match_runs"), outcome(200, **API_RUNNERS)),
    Row(
        "api_match_runs",
        _u("api_match_runs"),
        outcome(201, **API_RUNNERS),
        method="post",
        body={"time_limit": 10},
    ),
    Row("api_match_run", _u("api_match_run", run_id="run"), outcome(200, **API_RUNNERS)),
    Row(
        "api_match_accept",
        _u("api_match_accept", run_id="run"),
        outcome(200, **API_RUNNERS),
        method="post",
        body={},
    ),
    Row(
        "api_match_resolve",
        _u("api_match_resolve", run_id="run"),
        outcome(201, **API_RUNNERS),
        method="post",
        body={"locks": [], "forbids": []},
    ),
]
