"""Property: any sequence of moves and splits keeps the population and one principal per
case, and undoing the sequence in reverse gives back exactly the households it began with."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onward.accounts import roles
from onward.composition import rules, services
from onward.movements.ledger import population_on
from onward.registry.models import Case, Person
from onward.relocation.tests.factories import make_case

STEP = st.tuples(st.sampled_from(["move", "split"]), st.integers(0, 99), st.integers(0, 99))


def _layout() -> dict:
    return {
        pid: (case, rel)
        for pid, case, rel in Person.objects.values_list("person_id", "case_id", "relationship")
    }


def _step(officer, kind, i, j):
    cases = list(Case.objects.filter(status="open").order_by("pk"))
    case = cases[i % len(cases)]
    members = list(rules.present(case).order_by("person_id"))
    if kind == "split":
        others = [p for p in members if p.relationship != "principal"]
        if not others:
            return None
        chosen = others[: 1 + j % len(others)]
        return services.case_split(
            actor=officer, case=case, persons=chosen, principal=chosen[-1], reason="p"
        )
    person = members[j % len(members)]
    targets = [c for c in cases if c.pk != case.pk]
    if not targets:  # every member moved into one case: nowhere else to go
        return None
    staying = [p for p in members if p.pk != person.pk]
    new_principal = staying[0] if person.relationship == "principal" and staying else None
    return services.person_move(
        actor=officer,
        person=person,
        target=targets[j % len(targets)],
        relationship="other_relative",
        new_principal=new_principal,
        reason="p",
    )


def _one_principal_per_open_case():
    for case in Case.objects.filter(status="open"):
        assert rules.present(case).filter(relationship="principal").count() == 1, case


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=8))
def test_composition_keeps_the_population_and_undo_is_exact(users, steps):
    # Each example in its own rolled-back transaction: the database fixture is per test.
    with transaction.atomic():
        _run(users[roles.RESETTLEMENT], users, steps)
        transaction.set_rollback(True)


def _run(officer, users, steps):
    for size in (3, 2, 4):
        make_case(users, size=size)
    start = _layout()
    population = population_on(timezone.localdate())
    done = []
    for kind, i, j in steps:
        try:
            change = _step(officer, kind, i, j)
        except ValidationError:
            continue  # a refused change changes nothing, checked below
        if change is not None:
            done.append(change)
        assert population_on(timezone.localdate()) == population
        _one_principal_per_open_case()
    for change in reversed(done):
        services.change_undo(actor=officer, change=change, reason="back")
    assert _layout() == start
    assert population_on(timezone.localdate()) == population
