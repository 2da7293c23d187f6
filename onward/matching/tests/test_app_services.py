"""Match runs through the services: allowed pairs, solving, locks and forbids, re-solve,
reproduction, and accepting proposals as submissions, all or nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.matching import inputs, services
from onward.matching.models import MatchAcceptance, MatchPin, MatchRun, ScoringPolicy
from onward.matching.tests.access_matrix import assessed_case, open_pledge, solved_run
from onward.registry.services import StaleEdit
from onward.relocation import services as relocation
from onward.relocation.models import Pledge, RelocationCase, State, Submission

pytestmark = pytest.mark.django_db


def _pairs(run):
    inputs = run.inputs_data()
    return {
        (inputs["cases"][c]["case_id"], inputs["pledges"][p]["pk"])
        for c, p in zip(inputs["pair_case"], inputs["pair_pledge"], strict=True)
    }


def _plan(run):
    inputs, result = run.inputs_data(), run.result_data()
    return {
        inputs["cases"][c]["case_id"]: (inputs["pledges"][p]["pk"] if p >= 0 else None)
        for c, p in enumerate(result["assignment"])
    }


# --- Allowed pairs ---------------------------------------------------------------------------


def test_allowed_pairs_keep_the_pledges_criteria(users):
    small = open_pledge(users, name="small", max_case_size=3)
    no_med = open_pledge(users, name="no medical", needs_not_served=["SM"])
    iraqis = open_pledge(users, name="Iraqis only", nationalities=["IRQ"])
    anyone = open_pledge(users, name="anyone")
    big = assessed_case(users, size=4)
    sick = assessed_case(users, size=1, needs=["SM"])
    iraqi = assessed_case(users, size=1, nationality="IRQ")
    run = solved_run(users)
    pairs = _pairs(run)
    assert (big.case_id, small.pk) not in pairs and (big.case_id, anyone.pk) in pairs
    assert (sick.case_id, no_med.pk) not in pairs and (sick.case_id, small.pk) in pairs
    assert (iraqi.case_id, iraqis.pk) in pairs
    assert (big.case_id, iraqis.pk) not in pairs and (sick.case_id, iraqis.pk) not in pairs


def test_only_assessed_cases_and_open_valid_pledges_take_part(users):
    open_pledge(users, name="open")
    closed = open_pledge(users, name="closed", status=Pledge.Status.CLOSED)
    assessed = assessed_case(users)
    identified = assessed_case(users)
    relocation.case_hold(actor=users[roles.RESETTLEMENT], case=identified, reason="review")
    run = solved_run(users)
    inputs = run.inputs_data()
    assert [c["case_id"] for c in inputs["cases"]] == [assessed.case_id]
    assert closed.pk not in [p["pk"] for p in inputs["pledges"]]


def test_a_case_no_pledge_may_take_is_reported_with_the_reason(users):
    open_pledge(users, name="small", max_case_size=2)
    big = assessed_case(users, size=5)
    run = solved_run(users)
    detail = run.inputs_data()["not_allowed"]
    assert list(detail) == ["0"] and big.case_id in detail["0"][0] and "at most 2" in detail["0"][0]


def test_capacity_offered_is_what_is_left_after_open_submissions(users):
    pledge = open_pledge(users, persons=10)
    submitted = assessed_case(users, size=3)
    relocation.case_submit(actor=users[roles.RESETTLEMENT], case=submitted, pledge=pledge)
    assessed_case(users, size=2)
    run = solved_run(users)
    assert run.inputs_data()["pledges"][0]["capacity"][0] == 7


# --- Solving, locks and forbids, reproduction ------------------------------------------------


def test_a_run_places_the_best_cases_within_capacity(users):
    pledge = open_pledge(users, persons=4)
    urgent = assessed_case(users, size=2, priority="urgent")
    emergency = assessed_case(users, size=2, priority="emergency")
    normal = assessed_case(users, size=2, priority="normal")
    run = solved_run(users)
    assert run.status == MatchRun.Status.DONE and run.solver_status == "optimal"
    assert _plan(run) == {
        urgent.case_id: pledge.pk,
        emergency.case_id: pledge.pk,
        normal.case_id: None,
    }
    assert run.objective == pytest.approx(150) and run.gap == 0
    assert AuditEntry.objects.filter(object_type="match_run", object_id=str(run.pk)).count() == 2


def test_locks_and_forbids_hold_after_a_re_solve(users):
    a = open_pledge(users, name="A", persons=4)
    b = open_pledge(users, name="B", persons=4, country="DEU")
    cases = [
        assessed_case(users, size=2, priority=p)
        for p in ("emergency", "urgent", "normal", "normal")
    ]
    run = solved_run(users)
    rs = users[roles.RESETTLEMENT]
    services.pin_set(actor=rs, run=run, case_id=cases[3].case_id, pledge_id=a.pk, kind="lock")
    services.pin_set(actor=rs, run=run, case_id=cases[0].case_id, pledge_id=a.pk, kind="forbid")
    child = services.run_resolve(actor=rs, run=run)
    services.run_execute(run=child)
    child.refresh_from_db()
    plan = _plan(child)
    assert child.parent == run and plan[cases[3].case_id] == a.pk
    assert plan[cases[0].case_id] == b.pk
    assert set(child.pins.values_list("kind", flat=True)) == {"lock", "forbid"}
    assert not child.pins.filter(draft=True).exists()
    # The pins carry on to the next re-solve, and a release takes one off.
    services.pin_set(actor=rs, run=child, case_id=cases[0].case_id, pledge_id=a.pk, kind="release")
    grandchild = services.run_resolve(actor=rs, run=child)
    assert list(grandchild.pins.values_list("kind", flat=True)) == ["lock"]


def test_a_lock_on_a_pair_not_allowed_or_beyond_capacity_is_refused(users):
    small = open_pledge(users, name="small", persons=3, max_case_size=2)
    big = assessed_case(users, size=3)
    two = [assessed_case(users, size=2) for _ in range(2)]
    run = solved_run(users)
    rs = users[roles.RESETTLEMENT]
    with pytest.raises(ValidationError, match="not allowed"):
        services.pin_set(actor=rs, run=run, case_id=big.case_id, pledge_id=small.pk, kind="lock")
    services.pin_set(actor=rs, run=run, case_id=two[0].case_id, pledge_id=small.pk, kind="lock")
    with pytest.raises(ValidationError, match="exceed"):
        services.pin_set(actor=rs, run=run, case_id=two[1].case_id, pledge_id=small.pk, kind="lock")
    assert run.pins.count() == 1


def test_reproducing_a_run_gives_the_same_objective(users):
    for i in range(3):
        open_pledge(
            users,
            name=f"P{i}",
            persons=5 + i,
            country=("ALB", "DEU", "NOR")[i],
            needs_served=["SM"] if i else [],
        )
    for i in range(12):
        assessed_case(
            users,
            size=1 + i % 3,
            needs=["SM"] if i % 4 == 0 else [],
            priority=("emergency", "urgent", "normal")[i % 3],
        )
    run = solved_run(users)
    again = services.matchrun_reproduce(run)
    assert again["same_objective"] and again["objective"] == pytest.approx(run.objective)
    child = services.run_resolve(actor=users[roles.RESETTLEMENT], run=run)
    services.run_execute(run=child)
    child.refresh_from_db()
    assert services.matchrun_reproduce(child)["same_objective"]


def test_only_the_resettlement_officer_and_admin_may_run(users):
    for role in (roles.CLERK, roles.DELEGATION, roles.AUDITOR, roles.DATA_MANAGER):
        with pytest.raises(PermissionDenied):
            services.run_start(actor=users[role])
    assert not MatchRun.objects.exists()


# --- Accepting -------------------------------------------------------------------------------


def test_accepting_one_pledge_creates_its_submissions_only(users):
    a = open_pledge(users, name="A", persons=4)
    b = open_pledge(users, name="B", persons=4, country="DEU")
    for _ in range(4):
        assessed_case(users, size=2)
    run = solved_run(users)
    plan = _plan(run)
    done = services.run_accept(actor=users[roles.RESETTLEMENT], run=run, pledge_ids=[a.pk])
    to_a = sorted(c for c, p in plan.items() if p == a.pk)
    assert sorted(done[a.pk]) == to_a and len(to_a) == 2
    assert (
        sorted(Submission.objects.filter(pledge=a).values_list("case__case_id", flat=True)) == to_a
    )
    assert not Submission.objects.filter(pledge=b).exists()
    assert set(
        RelocationCase.objects.filter(case__case_id__in=to_a).values_list("state", flat=True)
    ) == {State.SUBMITTED}
    assert MatchAcceptance.objects.get(run=run).pledge == a
    # The rest later; the same pledge twice is refused.
    with pytest.raises(ValidationError, match="already accepted"):
        services.run_accept(actor=users[roles.RESETTLEMENT], run=run, pledge_ids=[a.pk])
    services.run_accept(actor=users[roles.RESETTLEMENT], run=run)
    assert Submission.objects.filter(pledge=b).count() == 2


def test_accept_is_all_or_nothing_with_a_report_naming_the_case(users):
    a = open_pledge(users, name="A", persons=4)
    b = open_pledge(users, name="B", persons=4, country="DEU")
    cases = [assessed_case(users, size=2) for _ in range(4)]
    run = solved_run(users)
    # Meanwhile one proposed case is put on hold: it may no longer be submitted.
    relocation.case_hold(actor=users[roles.RESETTLEMENT], case=cases[2], reason="medical review")
    with pytest.raises(ValidationError) as err:
        services.run_accept(actor=users[roles.RESETTLEMENT], run=run)
    report = err.value.message_dict
    assert list(report) == [cases[2].case_id]
    assert "on hold" in report[cases[2].case_id][0]
    assert not Submission.objects.exists() and not MatchAcceptance.objects.exists()
    assert {a.pk, b.pk}  # both pledges had proposals; neither got any


def test_accept_refuses_when_the_pledge_filled_up_since_the_run(users):
    pledge = open_pledge(users, persons=4)
    [assessed_case(users, size=2) for _ in range(2)]
    run = solved_run(users)
    other = assessed_case(users, size=3)
    relocation.case_submit(actor=users[roles.RESETTLEMENT], case=other, pledge=pledge)
    with pytest.raises(ValidationError, match="less room"):
        services.run_accept(actor=users[roles.RESETTLEMENT], run=run)
    assert Submission.objects.count() == 1


# --- Policies and links ----------------------------------------------------------------------


def test_editing_a_policy_makes_a_new_version_and_refuses_a_stale_edit(users):
    rs = users[roles.RESETTLEMENT]
    v1 = services.policy_create(actor=rs, name="Medical first", weights={})
    v2 = services.policy_update(
        actor=rs, policy=v1, expected_version=1, weights={**v1.weights, "family_link": 50}
    )
    v1.refresh_from_db()
    assert (v2.version, v2.previous, v1.current, v2.current) == (2, v1, False, True)
    assert v1.weights["family_link"] == 30 and v2.weights["family_link"] == 50
    with pytest.raises(StaleEdit):
        services.policy_update(actor=rs, policy=v1, expected_version=1, weights={})
    assert ScoringPolicy.objects.filter(name="Medical first").count() == 2


def test_a_run_keeps_the_policy_it_was_scored_with(users):
    rs = users[roles.RESETTLEMENT]
    open_pledge(users, country="DEU")
    case = assessed_case(users)
    services.case_link_add(actor=rs, case=case, country="DEU", kind="family")
    policy = services.policy_create(actor=rs, name="Family", weights={"family_link": 40})
    run = solved_run(users, policy=policy)
    services.policy_update(
        actor=rs, policy=policy, expected_version=1, weights={**policy.weights, "family_link": 1}
    )
    run.refresh_from_db()
    assert run.policy_snapshot["weights"]["family_link"] == 40
    assert run.objective == pytest.approx(10 + 40)
    assert services.matchrun_reproduce(run)["same_objective"]


def test_a_link_is_ended_not_deleted(users):
    rs = users[roles.RESETTLEMENT]
    case = assessed_case(users)
    link = services.case_link_add(actor=rs, case=case, country="nor", kind="preference")
    assert link.country == "NOR"
    with pytest.raises(ValidationError):
        services.case_link_add(actor=rs, case=case, country="NOR", kind="preference")
    services.case_link_end(actor=rs, link=link)
    link.refresh_from_db()
    assert link.ended_at is not None
    services.case_link_add(actor=rs, case=case, country="NOR", kind="preference")


def test_predictions_are_read_whole_or_refused_by_row():
    got = inputs.predictions_parse("case_id,country,predicted\nC1,deu,0.7\n")
    assert got == {"C1|country:DEU": 0.7}
    with pytest.raises(ValidationError, match="row 3"):
        inputs.predictions_parse("case_id,pledge_id,predicted\nC1,4,0.2\nC2,4,1.5\n")


def test_predictions_enter_the_score_when_weighted(users):
    rs = users[roles.RESETTLEMENT]
    pledge = open_pledge(users)
    case = assessed_case(users)
    policy = services.policy_create(actor=rs, name="Model", weights={"predicted_outcome": 20})
    run = solved_run(users, policy=policy, predictions={f"{case.case_id}|pledge:{pledge.pk}": 0.5})
    assert run.inputs_data()["score"] == [10 + 10]
    assert MatchPin.objects.count() == 0
