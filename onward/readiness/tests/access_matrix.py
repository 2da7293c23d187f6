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
    Requirement.objects.create(country="ALB", kind=Kind.VISA)
    return {"alb": alb.pk, "deu": deu.pk, "person": case.members.get().person_id}


def _u(name, key):
    return lambda w: reverse(name, kwargs={"pledge_id": w[key]})


RECORDERS = dict(DM=403, CL=403, DL=403, AU=403)  # readiness.record


def _body(w=None):
    return {"kind": "visa", "status": "passed", "on": "2026-01-10"}


ROWS = [
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
]
