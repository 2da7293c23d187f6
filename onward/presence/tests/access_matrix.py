from django.urls import reverse

from onward.web.tests.matrix import Row, outcome


def world(users) -> dict:
    from onward.accounts import roles
    from onward.presence import services
    from onward.presence.tests.factories import DAY_AFTER, camp_with, incident

    blocks, housed = camp_with(users, blocks=("A",), per_block=2)
    services.card_issue(actor=users[roles.CLERK], person=housed["A"][0])
    inc = incident(users)
    roll = services.rollcall_open(
        actor=users[roles.PROTECTION],
        blocks=[blocks["A"]],
        reason="incident",
        on=DAY_AFTER,
        incident=inc,
    )
    return {
        "person": housed["A"][0].person_id,
        "block": blocks["A"].pk,
        "incident": inc.pk,
        "roll": roll.pk,
    }


# Presence is staff's and the auditor's to read; a delegation sees none of it.
VIEWERS = dict(DL=403)
SCANNERS = dict(RS=403, DL=403, AU=403)
CARDS = dict(PR=403, RS=403, DL=403, AU=403)
ROLL_CALLERS = dict(CL=403, RS=403, DL=403, AU=403)
# The outcome of an absence records a departure: movements.record.
RECORDERS = dict(CL=403, RS=403, DL=403, AU=403)


def _token() -> dict:
    from onward.presence.models import Card

    return {"form": "card", "checkpoint": "Gate 1", "token": Card.objects.get().token}


def _mark() -> dict:
    from onward.presence.models import RollCallLine

    line = RollCallLine.objects.select_related("person").first()
    return {"person": line.person.person_id, "status": "present", "block": line.block_id}


def _p(name):
    return lambda w: reverse(name, kwargs={"person_id": w["person"]})


def _r(name):
    return lambda w: reverse(name, kwargs={"roll_call_id": w["roll"]})


ROWS = [
    Row(
        "presence_scan", lambda w: reverse("presence_scan"), outcome(200, **SCANNERS), outside=None
    ),
    # A scan names a card's token, not a record id: an unknown token is refused with
    # nothing written (test_cards_and_scans), the same for every role that may scan.
    Row(
        "presence_scan",
        lambda w: reverse("presence_scan"),
        outcome(302, **SCANNERS),
        method="post",
        body=_token,
        outside=None,
    ),
    Row(
        "presence_not_seen",
        lambda w: reverse("presence_not_seen") + f"?days=7&block={w['block']}",
        outcome(200, **VIEWERS),
        outside=reverse("presence_not_seen") + "?days=7&block=9999999",
    ),
    # The follow-up list names no record; each person it lists is an audited view.
    Row(
        "presence_follow_up",
        lambda w: reverse("presence_follow_up"),
        outcome(200, **VIEWERS),
        outside=None,
    ),
    Row(
        "presence_follow_up_outcome",
        _p("presence_follow_up_outcome"),
        outcome(302, **RECORDERS),
        method="post",
        body={"outcome": "found", "checkpoint": "Clinic"},
    ),
    Row("presence_card", _p("presence_card"), outcome(200, **VIEWERS)),
    Row("presence_card_issue", _p("presence_card_issue"), outcome(302, **CARDS), method="post"),
    Row(
        "presence_card_revoke",
        _p("presence_card_revoke"),
        outcome(302, **CARDS),
        method="post",
        body={"reason": "lost"},
    ),
    Row("rollcall_list", lambda w: reverse("rollcall_list"), outcome(200, **VIEWERS), outside=None),
    Row(
        "rollcall_open",
        lambda w: reverse("rollcall_open") + f"?incident={w['incident']}",
        outcome(200, **ROLL_CALLERS),
        outside=reverse("rollcall_open") + "?incident=9999999",
    ),
    Row(
        "rollcall_open",
        lambda w: reverse("rollcall_open"),
        outcome(302, **ROLL_CALLERS),
        method="post",
        body=lambda: _open_body(),
        outside=None,
    ),
    Row("rollcall_detail", _r("rollcall_detail"), outcome(200, **VIEWERS)),
    Row(
        "rollcall_sheet",
        lambda w: reverse(
            "rollcall_sheet", kwargs={"roll_call_id": w["roll"], "block_id": w["block"]}
        ),
        outcome(200, **VIEWERS),
    ),
    Row(
        "rollcall_mark",
        _r("rollcall_mark"),
        outcome(302, **ROLL_CALLERS),
        method="post",
        body=_mark,
    ),
    Row("rollcall_close", _r("rollcall_close"), outcome(302, **ROLL_CALLERS), method="post"),
    Row(
        "incident_blocks",
        lambda w: reverse("incident_blocks", kwargs={"incident_id": w["incident"]}),
        outcome(302, **ROLL_CALLERS),
        method="post",
        body=lambda: {"blocks": [_block_pk()]},
    ),
]


def _block_pk() -> int:
    from onward.camp.models import Block

    return Block.objects.get().pk


def _open_body() -> dict:
    return {"reason": "verification", "blocks": [_block_pk()], "on": "2013-12-27"}
