"""The relocation demo, played on a small synthetic population: the same logic as on the
full one (1,400 submitted there), at a scale a unit test affords."""

import pytest
from django.db import models

from onward.accounts import roles
from onward.demo.population import population_load
from onward.demo.synthetic import generate_population
from onward.interviews.demo import interviews_completed_bulk
from onward.relocation import selectors
from onward.relocation.demo import FULL_CASES, FULL_SUBMITTED
from onward.relocation.demo import demo_relocation as _demo_relocation
from onward.relocation.models import CaseTransition, Pledge, RelocationCase, State, Submission

pytestmark = pytest.mark.django_db


def demo_relocation(**kwargs):
    return _demo_relocation(record_interviews=interviews_completed_bulk, **kwargs)


def test_the_demo_plays_a_dated_history_with_albanias_two_groups_ready(users):
    population_load(generate_population(seed=7, persons=500))
    users = {u.username: u for u in users.values()}
    result = demo_relocation(users=users, rng_seed=2013)
    from onward.registry.models import Case

    expected = round(FULL_SUBMITTED * Case.objects.count() / FULL_CASES)
    assert Submission.objects.values("case").distinct().count() == expected
    albania = Pledge.objects.get(country="ALB")
    assert selectors.pledge_figures(albania)["persons"]["capacity"] == 210
    assert result["albania_group_sizes"] == [44, 27]
    ready = set(
        selectors.cases_ready_for_departure(pledge=albania).values_list("case_id", flat=True)
    )
    assert set(result["albania_groups"][0]) | set(result["albania_groups"][1]) <= ready
    assert Pledge.objects.get(country="ROU").status == "draft"
    for pledge in Pledge.objects.all():
        for dim, f in selectors.pledge_figures(pledge).items():
            assert f["capacity"] is None or f["accepted"] <= f["capacity"], (pledge, dim)
    years = {t.year for t in CaseTransition.objects.values_list("at", flat=True)}
    assert years <= {2012, 2013, 2014}
    states = set(CaseTransition.objects.values_list("to_state", flat=True))
    assert {State.ACCEPTED, State.REJECTED, State.WITHDRAWN, State.READY, State.SUBMITTED} <= states
    funnel = selectors.funnel()
    assert funnel["submitted"]["cases"] == expected and funnel["departed"]["cases"] == 0
    # The gates of issue 18: every case submitted carries a recommendation approved by a
    # second user, every case assessed a completed interview.
    from onward.relocation import guards
    from onward.relocation.models import SubmissionReview

    submitted_pks = set(Submission.objects.values_list("case_id", flat=True))
    approved = SubmissionReview.objects.filter(
        case_id__in=submitted_pks, recommendation="recommend", approved_at__isnull=False
    )
    assert set(approved.values_list("case_id", flat=True)) == submitted_pks
    assert not approved.filter(approved_by=models.F("recommended_by")).exists()
    assessed_pks = set(
        CaseTransition.objects.filter(action="assess").values_list("case_id", flat=True)
    )
    assert guards.cases_with_complete_interview(assessed_pks) == assessed_pks
    # Once only: a second run adds nothing.
    assert demo_relocation(users=users) == {}


def test_the_demo_needs_a_resettlement_officer(users):
    with pytest.raises(KeyError):
        demo_relocation(users={"a": users[roles.CLERK]})


def test_the_present_day_opens_pledges_today_and_leaves_the_history_as_it_was(users):
    import datetime as dt

    from django.utils import timezone

    from onward.relocation.demo import demo_relocation_today

    population_load(generate_population(seed=7, persons=500))
    users = {u.username: u for u in users.values()}
    demo_relocation(users=users, rng_seed=2013)
    end_of_history = dt.date(2014, 12, 31)
    history = selectors.funnel(as_of=end_of_history)
    demo_relocation_today(
        users=users, record_interviews=interviews_completed_bulk, log=lambda *_: None
    )
    assert selectors.funnel(as_of=end_of_history) == history
    open_now = {p.country: p for p in selectors.open_pledges()}
    assert set(open_now) == {"ALB", "DEU", "FIN"}
    for pledge in open_now.values():
        assert selectors.pledge_figures(pledge)["persons"]["remaining"] > 0
    waiting = Submission.objects.filter(decision="", pledge=open_now["ALB"])
    assert waiting.exists()  # for the delegation to decide today
    assert selectors.cases_ready_for_departure(pledge=open_now["DEU"]).exists()
    assert RelocationCase.objects.filter(state=State.ASSESSED).exists()
    assert max(CaseTransition.objects.values_list("at", flat=True)) <= timezone.now()
    assert (
        demo_relocation_today(
            users=users, record_interviews=interviews_completed_bulk, log=lambda *_: None
        )
        == {}
    )
