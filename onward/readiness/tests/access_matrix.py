from django.urls import reverse

from onward.web.tests.matrix import Row, outcome


def world(users) -> dict:
    """An Albanian pledge (the delegation user's country) with one accepted case and its
    requirements, and a German pledge."""
    from onward.readiness.models import Kind, Requirement
    from onward.relocation.models import State
    from onward.relocation.tests.factories import bring_to, make_case, pledge

    alb, deu = pledge(users), pledge(users, country="DEU")
    case = bring_to(users, make_case(users, size=1), State.ACCEPTED, pledge_=alb, exit_checks=False)
    Requirement.objects.create(country="ALB", kind=Kind.VISA, delegation_confirms=True)
    Requirement.objects.create(country="DEU", kind=Kind.VISA, delegation_confirms=True)
    return {"alb": alb.pk, "deu": deu.pk, "person": case.members.get().person_id}


def _u(name, key):
    return lambda w: reverse(name, kwargs={"pledge_id": w[key]})


RECORDERS = dict(DM=403, CL=403, DL=403, AU=403)  # readiness.record


def _body(w=None):
    return {"kind": "visa", "status": "passed", "on": "2026-01-10"}


def _confirm_body(w=None):
    """For the Albanian case's only member (the world is built again for each row)."""
    from onward.registry.models import Person

    person = Person.objects.filter(case__submissions__pledge__country="ALB").first()
    return {"person": person.person_id, "kind": "visa", "status": "passed", "on": "2026-01-10"}


def _needs_body(w=None):
    return {"person": _confirm_body()["person"], "needs": ["WCHR"]}


CONFIRMERS = outcome(403, DL=302)  # readiness.confirm: the delegation only
API_READ = outcome(200, anon=403)  # relocation.view: every signed-in role


ROWS = [
    # The matrix names no record: its filters (?pledge=, ?country=) are checked in
    # tests/test_matrix.py (a delegation asking for another country's pledge: 404, denied).
    Row("readiness_matrix", lambda w: reverse("readiness_matrix"), outcome(200), outside=None),
    Row(
        "readiness_matrix",
        lambda w: reverse("readiness_matrix") + f"?pledge={w['deu']}",
        outcome(200, DL=404),
        outside=None,
    ),
    Row("pledge_readiness", _u("pledge_readiness", "alb"), outcome(200)),
    Row("pledge_readiness", _u("pledge_readiness", "deu"), outcome(200, DL=404)),
    Row(
        "readiness_record_fact",
        _u("readiness_record_fact", "alb"),
        outcome(302, **RECORDERS),
        method="post",
        body=_body,
    ),
    Row(
        "readiness_record_fact",
        _u("readiness_record_fact", "deu"),
        outcome(302, **RECORDERS),
        method="post",
        body=_body,
    ),
    Row(
        "readiness_travel_needs",
        _u("readiness_travel_needs", "alb"),
        outcome(302, **RECORDERS),
        method="post",
        body=_needs_body,
    ),
    Row(
        "readiness_travel_needs",
        _u("readiness_travel_needs", "deu"),
        outcome(302, **RECORDERS),
        method="post",
        body=_needs_body,
    ),
    Row(
        "readiness_confirm",
        lambda w: reverse("readiness_confirm", kwargs={"pledge_id": w["alb"]}),
        CONFIRMERS,
        method="post",
        body=_confirm_body,
    ),
    Row(
        "readiness_confirm",
        lambda w: reverse("readiness_confirm", kwargs={"pledge_id": w["deu"]}),
        outcome(403, DL=404),
        method="post",
        body=_confirm_body,
    ),
    # The API (readiness/api.py): the same roles; a write's permission is checked before
    # any lookup (403 whatever the id), a read's scope by the pledge's door.
    Row("api_readiness", lambda w: reverse("api_readiness"), API_READ, outside=None),
    # ?pledge= and ?country= name another country's records for the delegation (its 404
    # and denied entry are the row's); the filters' refusals are in tests/test_api.py.
    Row(
        "api_readiness",
        lambda w: reverse("api_readiness") + f"?pledge={w['deu']}",
        outcome(200, anon=403, DL=404),
        outside=None,
    ),
    Row(
        "api_readiness",
        lambda w: reverse("api_readiness") + "?country=DEU",
        outcome(200, anon=403, DL=404),
        outside=None,
    ),
    Row("api_readiness_pledge", _u("api_readiness_pledge", "alb"), API_READ),
    Row("api_readiness_pledge", _u("api_readiness_pledge", "deu"), outcome(200, anon=403, DL=404)),
    Row(
        "api_readiness_record",
        _u("api_readiness_record", "alb"),
        outcome(201, anon=403, **RECORDERS),
        method="post",
        body=_confirm_body,
    ),
    # The person is on Albania's pledge, not Germany's: not there for this pledge.
    Row(
        "api_readiness_record",
        _u("api_readiness_record", "deu"),
        outcome(404, anon=403, **RECORDERS),
        method="post",
        body=_confirm_body,
    ),
    Row(
        "api_readiness_confirm",
        _u("api_readiness_confirm", "alb"),
        outcome(403, anon=403, DL=201),
        method="post",
        body=_confirm_body,
    ),
    Row(
        "api_readiness_confirm",
        _u("api_readiness_confirm", "deu"),
        outcome(403, anon=403, DL=404),
        method="post",
        body=_confirm_body,
    ),
    Row(
        "api_readiness_travel_needs",
        _u("api_readiness_travel_needs", "alb"),
        outcome(200, anon=403, **RECORDERS),
        method="post",
        body=_needs_body,
    ),
    Row(
        "api_readiness_travel_needs",
        _u("api_readiness_travel_needs", "deu"),
        outcome(404, anon=403, **RECORDERS),
        method="post",
        body=_needs_body,
    ),
]
