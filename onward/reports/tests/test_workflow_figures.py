"""The numbers of issues 18 and 19 on the dashboard and in the situation report: the waits
(pending interview, pending review, returned, deferred, awaiting information) and
readiness (accepted not ready, ready not yet on a transfer, blockers, the reminders)
equal brute-force counts over random cases built through the services, on a past date
as well as today; each costs a fixed number of queries; a delegation sees its own
country's figures only; the readiness page and the task rules name the same cases."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from onward.accounts import roles
from onward.interviews.models import Appointment
from onward.movements import services as movements
from onward.movements.models import ManifestLine
from onward.movements.readiness_numbers import readiness_numbers
from onward.readiness import engine, selectors
from onward.readiness import services as readiness
from onward.readiness.models import Fact
from onward.registry.models import Case, Person
from onward.relocation import review
from onward.relocation import services as relocation
from onward.relocation.models import CaseTransition, State, Submission, SubmissionReview
from onward.relocation.tests.factories import at, bring_to, pledge
from onward.reports import figures as F
from onward.reports import workflow_figures as W
from onward.reports.tests.conftest import _arrived_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The labels compared below are the English ones, whatever a test before activated."""
    with translation.override("en"):
        yield


T0_DAY = at(0).date()


def make_case(users, size=2):
    """A case arrived on 5 January 2013, before any step of the tests (a member counts
    as travelling on a date only once arrived)."""
    return _arrived_case(users, size=size, nationality="IRN", given_name="Zz")


def end_of(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


# -- issue 18: the waits ---------------------------------------------------------------------


def _random_waits(users, rng: random.Random, n=12):
    """Cases in every waiting step (and some not waiting), at random days after T0, in two
    countries; some returned, some with a recommendation not approved yet, some asked for
    information and answered later, some interviewed while still identified."""
    rs = users[roles.RESETTLEMENT]
    pledges = {c: pledge(users, country=c) for c in ("ALB", "FRA")}
    for _ in range(n):
        kind = rng.choice(
            [
                "identified",
                "interviewed",
                "assessed",
                "unapproved",
                "returned",
                "approved",
                "deferred",
                "info",
                "answered",
                "submitted",
                "accepted",
            ]
        )
        day = rng.randint(0, 150)
        case = make_case(users, rng.randint(1, 3))
        p = pledges[rng.choice(list(pledges))]
        if kind in ("identified", "interviewed"):
            bring_to(users, case, State.IDENTIFIED, day=day)
            if kind == "interviewed":
                from onward.relocation.tests.factories import interview_done

                interview_done(case, at_=at(day + rng.randint(0, 40)))
        elif kind in ("assessed", "unapproved", "returned", "approved"):
            bring_to(users, case, State.ASSESSED, day=day, reviewed=False)
            when = at(day + rng.randint(1, 60))
            if kind != "assessed":
                r = review.recommendation_record(
                    actor=rs,
                    case=case,
                    recommendation="return" if kind == "returned" else "recommend",
                    comments="the family's composition" if kind == "returned" else "",
                    primary_category="" if kind == "returned" else "LPN",
                    at=when,
                )
                if kind == "approved":
                    review.recommendation_approve(
                        actor=users[roles.PROTECTION], review=r, at=when + dt.timedelta(days=5)
                    )
        elif kind == "deferred":
            bring_to(users, case, State.DEFERRED, pledge_=p, day=day)
        elif kind in ("info", "answered"):
            bring_to(users, case, State.INFO_REQUESTED, pledge_=p, day=day)
            if kind == "answered":
                relocation.information_answer(
                    actor=rs, case=case, answer="sent", at=at(day + 3 + rng.randint(1, 50))
                )
        elif kind == "submitted":
            bring_to(users, case, State.SUBMITTED, pledge_=p, day=day)
        else:
            bring_to(users, case, State.ACCEPTED, pledge_=p, day=day, exit_checks=False)


def _brute_waits(on: dt.date, country: str | None = None) -> dict:
    """Case by case, from each case's own rows, read in Python."""
    end = end_of(on)
    out = {s: {} for s in W.STEPS}
    for case in Case.objects.all():
        steps = [t for t in CaseTransition.objects.filter(case=case) if t.at <= end]
        if not steps:
            continue
        last = max(steps, key=lambda t: (t.at, t.id))
        since = timezone.localdate(last.at)
        if last.to_state == "identified" and country is None:
            complete = any(
                a.type_id == "resettlement_interview"
                and a.status == "completed"
                and a.start <= end
                and all(x.present or x.absence_reason.strip() for x in a.attendance.all())
                for a in Appointment.objects.filter(case=case)
            )
            if not complete:
                out["pending_interview"][case.pk] = (since, "")
        elif last.to_state == "assessed" and country is None:
            reviews = sorted(
                (r for r in SubmissionReview.objects.filter(case=case) if r.recommended_at <= end),
                key=lambda r: (r.recommended_at, r.id),
            )
            latest = reviews[-1] if reviews else None
            if latest and latest.recommendation == "return":
                out["returned"][case.pk] = (timezone.localdate(latest.recommended_at), "")
            elif latest is None or not (latest.approved_at and latest.approved_at <= end):
                out["pending_review"][case.pk] = (since, "")
        elif last.to_state in ("deferred", "info_requested"):
            where = last.submission.pledge.country
            if country is None or where == country:
                out[last.to_state][case.pk] = (since, where)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_waits_equal_a_recount_over_random_cases_on_past_dates_and_today(users, seed):
    rng = random.Random(seed)
    _random_waits(users, rng)
    days = [T0_DAY + dt.timedelta(days=d) for d in (2, 25, 60, 120, 200)]
    seen = {s: 0 for s in W.STEPS}
    for on in [*days, timezone.localdate()]:
        waits = W.waiting(on)
        for s in W.STEPS:
            seen[s] += len(waits.cases[s])
        assert waits.cases == _brute_waits(on), on
        assert W.waiting(on, country="ALB").cases == _brute_waits(on, "ALB"), on
        table = next(
            t for t in F.dashboard(users[roles.DATA_MANAGER], on) if t.key == "waiting_steps"
        )
        for i, step in enumerate(W.STEPS):
            bands = [W.age_band((on - since).days) for since, _c in waits.cases[step].values()]
            assert table.rows[i].values == [
                bands.count("under_30"),
                bands.count("30_90"),
                bands.count("over_90"),
                len(bands),
            ]
    assert sum(1 for n in seen.values() if n) >= 4  # the random cases wait on most steps


def test_a_wait_is_aged_from_the_day_it_began_and_ends_when_answered(users):
    rs = users[roles.RESETTLEMENT]
    p = pledge(users)
    case = bring_to(users, make_case(users), State.INFO_REQUESTED, pledge_=p, day=0)
    asked = timezone.localdate(CaseTransition.objects.filter(case=case).latest("at").at)
    relocation.information_answer(actor=rs, case=case, answer="sent", at=at(100))
    before = W.waiting(asked + dt.timedelta(days=45))
    assert before.cases["info_requested"] == {case.pk: (asked, "ALB")}
    assert before.counts(asked + dt.timedelta(days=45), "info_requested") == {
        "under_30": 0,
        "30_90": 1,
        "over_90": 0,
    }
    assert W.waiting(at(101).date()).cases["info_requested"] == {}
    # As of the day before it was asked, the case was only submitted: waiting on no step.
    assert all(not v for v in W.waiting(asked - dt.timedelta(days=1)).cases.values())


# -- issue 19: readiness ---------------------------------------------------------------------

KINDS = ("fit_to_travel", "travel_document", "visa")


def _random_readiness(users, rng: random.Random, today: dt.date, n=10):
    rs = users[roles.RESETTLEMENT]
    pledges = {c: pledge(users, country=c) for c in ("ALB", "FRA")}
    for c in pledges:
        readiness.requirements_seed(c, kinds=KINDS, fit_to_travel={"valid_days": 3})
    cases = []
    for _ in range(n):
        p = pledges[rng.choice(list(pledges))]
        case = bring_to(
            users,
            make_case(users, rng.randint(1, 2)),
            State.ACCEPTED,
            pledge_=p,
            exit_checks=False,
            day=rng.randint(0, 5),
        )
        cases.append((case, p))
        for person in case.members.all():
            rows = []
            for kind in KINDS:
                if rng.random() < 0.04:
                    continue  # missing
                # A fitness check of the last days (valid 3 days), documents older.
                back = rng.randint(0, 3) if kind == "fit_to_travel" else rng.randint(0, 20)
                on = today - dt.timedelta(days=back)
                status = rng.choice(["passed"] * 12 + ["pending", "failed"])
                until = on + dt.timedelta(days=rng.randint(0, 30)) if rng.random() < 0.2 else None
                rows.append(
                    {
                        "person": person,
                        "kind": kind,
                        "status": status,
                        "on": on,
                        "valid_until": until,
                    }
                )
            # Straight to the table (no follow): the figures compute from the facts.
            Fact.objects.bulk_create([Fact(recorded_by=rs, **row) for row in rows])
    # Transfers ahead, some cases on them (planned before they are ready is allowed).
    for p in pledges.values():
        transfer = movements.transfer_plan(
            actor=rs, pledge=p, date=today + dt.timedelta(days=rng.randint(1, 6)), seats=40
        )
        for case, of in cases:
            if of == p and rng.random() < 0.6:
                movements.transfer_case_add(actor=rs, transfer=transfer, case=case)
    return cases


def _brute_readiness(on: dt.date, late_days: int) -> dict:
    """Case by case and person by person, through the readiness selectors (one person's
    facts at a time) and the manifests read in Python."""
    end = end_of(on)
    out = {
        "country": {},
        "ready": set(),
        "scheduled": set(),
        "blocked": {},
        "late": set(),
        "expiring": set(),
    }
    for case in Case.objects.all():
        steps = [t for t in CaseTransition.objects.filter(case=case) if t.at <= end]
        if not steps or max(steps, key=lambda t: (t.at, t.id)).to_state not in (
            "accepted",
            "ready",
        ):
            continue
        sub = Submission.objects.get(case=case, decision="accepted")
        out["country"][case.pk] = sub.pledge.country
        members = [
            p
            for p in Person.objects.filter(case=case)
            if not p.merged_into_id
            and not p.removed_at
            and p.arrival_date <= on
            and (p.departure_date is None or p.departure_date > on)
        ]
        verdicts = {
            p.pk: selectors.person_readiness(p.pk, sub.pledge.country, on, sub.pledge_id)
            for p in members
        }
        if members and all(v.ready for v in verdicts.values()):
            out["ready"].add(case.pk)
        elif sub.decided_at.date() <= on - dt.timedelta(days=late_days):
            out["late"].add(case.pk)
        for pk, v in verdicts.items():
            for b in v.blockers:
                out["blocked"].setdefault((sub.pledge.country, b.kind), set()).add(pk)
        for line in ManifestLine.objects.filter(case=case):
            t = line.transfer
            if (
                t.created_at <= end
                and line.added_at <= end
                and t.date >= on
                and t.status != "cancelled"
                and (t.confirmed_at is None or t.confirmed_at > end)
                and (line.removed_at is None or line.removed_at > end)
            ):
                out["scheduled"].add(case.pk)
                for p in line.persons.all():
                    if p.pk in verdicts and verdicts[p.pk].ready:
                        facts = selectors.facts_of([p.pk], on)[p.pk]
                        reqs = selectors.requirements_for(sub.pledge.country, sub.pledge_id)
                        if not engine.evaluate(reqs, facts, t.date).ready:
                            out["expiring"].add(p.pk)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_readiness_numbers_equal_a_recount_over_random_facts_today_and_on_a_past_date(users, seed):
    rng = random.Random(seed)
    today = timezone.localdate()
    _random_readiness(users, rng, today)
    for on in (today, today - dt.timedelta(days=2), today - dt.timedelta(days=10)):
        r = readiness_numbers(on)
        brute = _brute_readiness(on, r.late_days)
        assert r.country == brute["country"], on
        assert r.ready == brute["ready"], on
        assert r.scheduled == brute["scheduled"], on
        assert dict(r.blocked_persons) == brute["blocked"], on
        assert {c for cs in r.late.values() for c in cs} == brute["late"], on
        assert {p for ps in r.expiring_before_flight.values() for p in ps} == brute["expiring"]
        table = next(
            t for t in F.dashboard(users[roles.DATA_MANAGER], on) if t.key == "readiness_cases"
        )
        accepted, ready = set(brute["country"]), brute["ready"]
        if on == today:  # the random facts leave some cases ready and some not
            assert ready and accepted - ready and brute["scheduled"], (seed, on)
        assert table.rows[0].values == [
            len(accepted),
            len(accepted - ready),
            len(ready - brute["scheduled"]),
            len(ready & brute["scheduled"]),
        ]


def test_a_case_ready_today_but_expiring_before_its_flight_is_a_reminder_everywhere(users):
    """The dashboard, the readiness page and the task rule name the same traveller."""
    from onward.tasks.rules import RULES

    rs, today = users[roles.RESETTLEMENT], timezone.localdate()
    p = pledge(users)
    readiness.requirements_seed("ALB", kinds=("fit_to_travel",), fit_to_travel={"valid_days": 3})
    case = bring_to(users, make_case(users, 1), State.ACCEPTED, pledge_=p, exit_checks=False)
    (person,) = case.members.all()
    readiness.record_fact(
        rs, person=person, country="ALB", kind="fit_to_travel", status="passed", on=today
    )
    transfer = movements.transfer_plan(
        actor=rs, pledge=p, date=today + dt.timedelta(days=5), seats=4
    )
    movements.transfer_case_add(actor=rs, transfer=transfer, case=case)
    r = readiness_numbers(today)
    assert r.expiring_before_flight["ALB"] == {person.pk}
    assert r.flight_of == {person.pk: transfer.date}
    assert r.ready == {case.pk} and r.scheduled == {case.pk}
    dues = list(RULES["readiness expiring before flight"](today))
    assert [(d.subject_type, d.subject_id) for d in dues] == [("person", person.pk)]
    assert str(transfer.date) in dues[0].title
    reminders = next(t for t in F.dashboard(rs, today) if t.key == "readiness_reminders")
    assert [(row.label, row.values) for row in reminders.rows] == [("ALB", [1, 0])]


def test_accepted_not_ready_after_the_setting_s_days_on_the_dashboard_page_and_tasks(
    users, client, settings
):
    from onward.tasks.rules import RULES

    p = pledge(users)
    readiness.requirements_seed("ALB", kinds=("visa",))
    case = bring_to(users, make_case(users, 2), State.ACCEPTED, pledge_=p, exit_checks=False)
    accepted = timezone.localdate(Submission.objects.get(case=case, decision="accepted").decided_at)
    settings.ONWARD_READINESS_NOT_READY_DAYS = 10
    on = accepted + dt.timedelta(days=9)
    assert not readiness_numbers(on).late["ALB"]
    on = accepted + dt.timedelta(days=10)
    assert readiness_numbers(on).late["ALB"] == {case.pk}
    reminders = next(
        t for t in F.dashboard(users[roles.DATA_MANAGER], on) if t.key == "readiness_reminders"
    )
    assert reminders.rows[0].values == [0, 1] and "10 days" in reminders.columns[2]
    blockers = next(
        t for t in F.dashboard(users[roles.DATA_MANAGER], on) if t.key == "readiness_blockers"
    )
    assert [(row.label, row.values) for row in blockers.rows] == [("ALB · Visa", [2, 1])]
    client.force_login(users[roles.RESETTLEMENT])
    page = client.get(f"/readiness/pledge/{p.pk}/?on={on}").content.decode()
    assert "Accepted more than 10 days ago and not ready" in page and case.case_id in page
    dues = list(RULES["accepted not ready"](timezone.localdate()))
    assert [(d.subject_type, d.subject_id) for d in dues] == [("case", case.pk)]


# -- scope and cost --------------------------------------------------------------------------


def test_a_delegation_sees_only_its_own_country_s_waits_and_readiness(users):
    today = timezone.localdate()
    for country in ("ALB", "FRA"):
        p = pledge(users, country=country)
        readiness.requirements_seed(country, kinds=("visa",))
        for _ in range(6):
            bring_to(users, make_case(users), State.DEFERRED, pledge_=p, day=1)
            bring_to(users, make_case(users), State.ACCEPTED, pledge_=p, exit_checks=False)
    bring_to(users, make_case(users), State.IDENTIFIED)
    delegation = users[roles.DELEGATION]  # ALB
    tables = {t.key: t for t in F.report_tables(delegation, today)}
    assert "waiting_steps" not in tables  # the operation's own work before any submission
    assert [r.label for r in tables["waiting_countries"].rows] == [
        "ALB · Deferred",
        "ALB · Awaiting information",
    ]
    assert tables["waiting_countries"].rows[0].values[3] == 6
    assert [(r.label, r.values[0]) for r in tables["readiness_cases"].rows] == [("ALB", 6)]
    assert [r.label for r in tables["readiness_blockers"].rows] == ["ALB · Visa"]
    assert [r.label for r in tables["readiness_reminders"].rows] == ["ALB"]
    staff = {t.key: t for t in F.report_tables(users[roles.DATA_MANAGER], today)}
    assert [r.label for r in staff["readiness_cases"].rows] == ["All countries", "ALB", "FRA"]
    assert staff["readiness_cases"].rows[0].values[0] == 12


def test_a_delegation_s_small_numbers_are_hidden_like_the_other_rows(users, client):
    today = timezone.localdate()
    p = pledge(users)
    bring_to(users, make_case(users), State.DEFERRED, pledge_=p, day=1)
    tables = {t.key: t for t in F.report_tables(users[roles.DELEGATION], today)}
    row = tables["waiting_countries"].rows[0]
    assert row.values[3] == 1 and row.suppressed[3]
    client.force_login(users[roles.DELEGATION])
    page = client.get(f"/reports/?as_of={today}").content.decode()
    assert "ALB · Deferred" in page


def _queries(fn, *args, **kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn(*args, **kwargs)
    return len(queries.captured_queries)


def test_each_figure_costs_a_fixed_number_of_queries_whatever_the_cases(users):
    today = timezone.localdate()
    rs = users[roles.RESETTLEMENT]
    p = pledge(users)
    readiness.requirements_seed("ALB", kinds=("visa", "fit_to_travel"))

    def grow(n, country):
        for _ in range(n):
            bring_to(users, make_case(users), State.DEFERRED, pledge_=p, day=1)
            bring_to(users, make_case(users), State.IDENTIFIED, day=2)
            bring_to(users, make_case(users), State.ASSESSED, day=2, reviewed=False)
            case = bring_to(
                users, make_case(users, 2), State.ACCEPTED, pledge_=p, exit_checks=False
            )
            for person in case.members.all():
                readiness.record_fact(
                    rs, person=person, country="ALB", kind="visa", status="passed", on=today
                )
        q = pledge(users, country=country)
        readiness.requirements_seed(q.country, kinds=("visa",))
        bring_to(users, make_case(users), State.ACCEPTED, pledge_=q, exit_checks=False)

    grow(1, "DEU")
    few = (_queries(W.waiting, today), _queries(readiness_numbers, today))
    transfer = movements.transfer_plan(
        actor=rs, pledge=p, date=today + dt.timedelta(days=3), seats=40
    )
    grow(4, "NOR")
    for line_case in Submission.objects.filter(pledge=p, decision="accepted")[:2]:
        movements.transfer_case_add(actor=rs, transfer=transfer, case=line_case.case)
    assert (_queries(W.waiting, today), _queries(readiness_numbers, today)) == few
    assert few[0] <= 5 and few[1] <= 8
