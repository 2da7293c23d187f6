from django.urls import reverse

from onward.relocation.tests.factories import (
    at,
    interview_done,
    make_case,
    pledge,
    review_approved,
)
from onward.web.tests.matrix import Row, outcome


def world(users) -> dict:
    """An Albanian pledge (the delegation user's country) and a German one, each with a
    submitted case, a case identified and one assessed. Built with the bulk services: this
    runs once for every row and role."""
    from onward.accounts import roles
    from onward.relocation import review, services

    rs = users[roles.RESETTLEMENT]
    alb, deu = pledge(users), pledge(users, country="DEU")
    ours, theirs, waiting, assessed = (make_case(users, size=1) for _ in range(4))
    services.cases_transition_bulk(
        actor=rs, action="identify", at=at(0), cases=[ours, theirs, waiting, assessed]
    )
    for case in (ours, theirs, waiting, assessed):
        interview_done(case)
    services.cases_transition_bulk(
        actor=rs,
        action="assess",
        at=at(1),
        category="LPN",
        priority="normal",
        cases=[ours, theirs, assessed],
    )
    review_approved(users, ours)
    review_approved(users, theirs)
    services.case_submit(actor=rs, case=ours, pledge=alb, at=at(2))
    services.case_submit(actor=rs, case=theirs, pledge=deu, at=at(2))
    review.recommendation_record(
        actor=rs, case=assessed, recommendation="recommend", primary_category="LPN"
    )
    return {
        "alb": alb.pk,
        "deu": deu.pk,
        "ours": ours.case_id,
        "theirs": theirs.case_id,
        "waiting": waiting.case_id,
        "assessed": assessed.case_id,
        "ours_sub": ours.submissions.get().pk,
        "theirs_sub": theirs.submissions.get().pk,
    }


def _u(name, **kw):
    return lambda w: reverse(name, kwargs={k: w[v] for k, v in kw.items()})


MANAGERS = dict(DM=403, CL=403, PR=403, DL=403, AU=403)  # relocation.manage_pledges
PROCESSORS = MANAGERS  # relocation.process
REVIEWERS = dict(DM=403, CL=403, DL=403, AU=403)  # relocation.review
DECIDERS = dict(DM=403, CL=403, PR=403, RS=403, AU=403)  # relocation.decide

ROWS = [
    Row("pledge_list", _u("pledge_list"), outcome(200)),
    Row("pledge_create", _u("pledge_create"), outcome(200, **MANAGERS)),
    Row(
        "pledge_create",
        _u("pledge_create"),
        outcome(302, **MANAGERS),
        method="post",
        body={
            "country": "NOR",
            "name": "Norway 2013",
            "valid_from": "2013-01-01",
            "status": "open",
            "capacity_persons": "60",
        },
    ),
    Row("pledge_detail", _u("pledge_detail", pledge_id="alb"), outcome(200)),
    Row("pledge_detail", _u("pledge_detail", pledge_id="deu"), outcome(200, DL=404)),
    Row("pledge_edit", _u("pledge_edit", pledge_id="alb"), outcome(200, **MANAGERS)),
    Row("relocation_case_list", _u("relocation_case_list"), outcome(200, DL=403)),
    Row("relocation_case", _u("relocation_case", case_id="ours"), outcome(200)),
    Row("relocation_case", _u("relocation_case", case_id="theirs"), outcome(200, DL=404)),
    Row(
        "relocation_case_action",
        _u("relocation_case_action", case_id="waiting"),
        outcome(302, DM=403, CL=403, PR=403, AU=403, DL=404),
        method="post",
        body={"action": "assess", "category": "LPN", "priority": "normal"},
    ),
    Row("relocation_bulk_submit", _u("relocation_bulk_submit"), outcome(200, **PROCESSORS)),
    # Nothing chosen: the page again, with the report of what is missing.
    Row(
        "relocation_bulk_submit",
        _u("relocation_bulk_submit"),
        outcome(200, **PROCESSORS),
        method="post",
        body={"cases": "", "pledge": ""},
    ),
    Row("submission_list", _u("submission_list"), outcome(200)),
    Row("review_list", _u("review_list"), outcome(200, **REVIEWERS)),
    Row(
        "recommendation_record",
        _u("recommendation_record", case_id="waiting"),
        outcome(302, **PROCESSORS),
        method="post",
        body={"recommendation": "recommend", "primary_category": "LPN"},
    ),
    # The resettlement officer recommended it: refused, shown as a message (302), not a 403.
    Row(
        "recommendation_approve",
        _u("recommendation_approve", case_id="assessed"),
        outcome(302, **REVIEWERS),
        method="post",
        body={},
    ),
    # Not proposed as a no show: refused, shown as a message (302), nothing recorded.
    Row(
        "no_show_dismiss",
        _u("no_show_dismiss", case_id="waiting"),
        outcome(302, **PROCESSORS),
        method="post",
        body={"reason": "Reached by phone"},
    ),
    Row("delegation_home", _u("delegation_home"), outcome(403, A=200, DL=200)),
    Row(
        "submission_decide",
        _u("submission_decide", submission_id="ours_sub"),
        outcome(302, **DECIDERS),
        method="post",
        body={"decision": "accepted"},
    ),
    Row(
        "submission_decide",
        _u("submission_decide", submission_id="theirs_sub"),
        outcome(302, **DECIDERS, DL=404),
        method="post",
        body={"decision": "accepted"},
    ),
    # Decisions as countries give them (issue 18): the same view, scoped the same way.
    *[
        Row(
            "submission_decide",
            _u("submission_decide", submission_id=sub),
            outcome(302, **DECIDERS, **({"DL": 404} if sub == "theirs_sub" else {})),
            method="post",
            body=body,
        )
        for sub in ("ours_sub", "theirs_sub")
        for body in (
            {"decision": "deferred", "reason": "quota allocated"},
            {"decision": "info_requested", "question": "medical report", "on": "2099-01-01"},
            {"decision": "accepted", "members_given": "1", "members": ["nobody"]},
        )
    ],
    Row("api_pledge_list", _u("api_pledge_list"), outcome(200, anon=403)),
    Row(
        "api_pledge_list",
        _u("api_pledge_list"),
        outcome(201, anon=403, **MANAGERS),
        method="post",
        body={
            "country": "NOR",
            "name": "Norway 2013",
            "valid_from": "2013-01-01",
            "capacities": {"persons": 60},
        },
    ),
    Row("api_pledge_detail", _u("api_pledge_detail", pledge_id="alb"), outcome(200, anon=403)),
    Row(
        "api_pledge_detail",
        _u("api_pledge_detail", pledge_id="deu"),
        outcome(200, anon=403, DL=404),
    ),
    Row(
        "api_pledge_detail",
        _u("api_pledge_detail", pledge_id="alb"),
        outcome(200, anon=403, **MANAGERS),
        method="patch",
        body={"version": 1, "capacities": {"persons": 220}},
    ),
    Row("api_relocation_case", _u("api_relocation_case", case_id="ours"), outcome(200, anon=403)),
    Row(
        "api_relocation_case",
        _u("api_relocation_case", case_id="theirs"),
        outcome(200, anon=403, DL=404),
    ),
    Row(
        "api_relocation_transitions",
        _u("api_relocation_transitions", case_id="waiting"),
        outcome(200, anon=403, DM=403, CL=403, PR=403, AU=403, DL=404),
        method="post",
        body={"action": "assess", "category": "MED", "priority": "urgent"},
    ),
    Row("api_submission_list", _u("api_submission_list"), outcome(200, anon=403)),
    Row(
        "api_submission_decision",
        _u("api_submission_decision", submission_id="ours_sub"),
        outcome(200, anon=403, **DECIDERS),
        method="post",
        body={"decision": "rejected", "reason": "criteria"},
    ),
    Row(
        "api_submission_decision",
        _u("api_submission_decision", submission_id="theirs_sub"),
        outcome(200, anon=403, **DECIDERS, DL=404),
        method="post",
        body={"decision": "rejected", "reason": "criteria"},
    ),
    *[
        Row(
            "api_submission_decision",
            _u("api_submission_decision", submission_id=sub),
            outcome(200, anon=403, **DECIDERS, **({"DL": 404} if sub == "theirs_sub" else {})),
            method="post",
            body={"decision": "deferred", "reason": "quota allocated"},
        )
        for sub in ("ours_sub", "theirs_sub")
    ],
    # Allowed roles reach the lookup (no pledge 0: 404); the others are refused before it.
    Row(
        "api_bulk_submit",
        _u("api_bulk_submit"),
        outcome(404, anon=403, **PROCESSORS),
        method="post",
        body={"cases": ["C99999"], "pledge": 0},
    ),
    Row("api_relocation_funnel", _u("api_relocation_funnel"), outcome(200, anon=403)),
]
