"""Small builders for relocation tests: pledges, cases of a given size, a case brought to
any state through the real services."""

import datetime as dt

from django.utils import timezone

from onward.accounts import roles
from onward.conftest import principal_data
from onward.readiness import services as readiness
from onward.registry import services as registry
from onward.relocation import services
from onward.relocation.models import Pledge, State

T0 = timezone.make_aware(dt.datetime(2013, 3, 1, 9, 0))


def at(days: float) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


def pledge(users, *, country="ALB", persons=210, at_=None, **extra) -> Pledge:
    """A pledge open from 2013 with no end (the tests decide today as well as in 2013's
    history; a pledge past its end takes nothing, so tests that need one say so)."""
    data = {
        "country": country,
        "name": extra.pop("name", f"{country} relocation 2013"),
        "valid_from": "2013-01-01",
        "valid_to": "",
        "capacities": {"persons": persons, **extra.pop("capacities", {})},
        **extra,
    }
    return services.pledge_create(actor=users[roles.RESETTLEMENT], data=data, at=at_ or T0)


def make_case(users, *, size=2, needs=(), nationality="IRN", **principal):
    clerk = users[roles.CLERK]
    case = registry.case_create(
        actor=clerk,
        principal=principal_data(specific_needs=list(needs), nationality=nationality, **principal),
    )
    for i in range(size - 1):
        registry.person_add(
            actor=clerk,
            case=case,
            person=principal_data(
                given_name=f"Member{i}",
                relationship="child",
                birth_date="2001",
                document_number="",
                specific_needs=[],
                nationality=nationality,
            ),
        )
    return case


def record_exit_facts(user, case, on: dt.date, kinds=readiness.FORMER_EXIT_CHECKS):
    """The former three exit checks, passed on `on` by every member present (facts only:
    the case's state follows at its mark_ready step). Written straight to the table, past
    readiness.facts_write (which follows at once): a fixture of a case whose stored state
    lags its facts, as after a requirement added or a date passed."""
    from onward.readiness.models import Fact

    country = case.submissions.get(decision="accepted").pledge.country
    readiness.requirements_seed(country)
    members = case.members.filter(merged_into__isnull=True, removed_at__isnull=True)
    Fact.objects.bulk_create(
        [
            Fact(person=p, kind=k, status="passed", on=on, recorded_by=user)
            for p in members
            for k in kinds
        ]
    )


def interview_done(case, *, at_: dt.datetime | None = None, absent: dict | None = None):
    """Books the case's resettlement interview and completes it, every member present
    (or absent with the reason given in `absent` {person pk: reason}): what assessing
    the case needs (workflow.interview_completed). Through the interviews app's services."""
    from onward.interviews import services as interviews
    from onward.interviews.models import Appointment, AppointmentType
    from onward.relocation.guards import case_interview_complete

    if case_interview_complete(case):
        return None
    start = at_ or (T0 - dt.timedelta(days=2) + dt.timedelta(minutes=case.pk % 1000))
    appointment = interviews.book(
        type=AppointmentType.objects.get(pk=AppointmentType.RESETTLEMENT_INTERVIEW),
        start=start,
        end=start + dt.timedelta(seconds=50),
        case=case,
    )
    absent = absent or {}
    present = {r.person_id for r in appointment.attendance.all()} - set(absent)
    interviews.check_in(appointment, present, absent)
    interviews.set_status(appointment, Appointment.Status.COMPLETED)
    return appointment


def review_approved(users, case, *, category="LPN", at_: dt.datetime | None = None):
    """An officer recommends the case and a second user with the reviewing role approves:
    what submitting it needs (workflow.recommendation_approved)."""
    from onward.relocation import review

    if review.approved_recommendation(case):
        return review.latest_review(case)
    when = at_ or (T0 - dt.timedelta(days=1))
    recommendation = review.recommendation_record(
        actor=users[roles.RESETTLEMENT],
        case=case,
        recommendation="recommend",
        primary_category=category,
        at=when,
    )
    # A second user with the reviewing permission: the protection officer, or the
    # administrator where a test's users have no protection officer.
    approver = users.get(roles.PROTECTION) or users[roles.ADMIN]
    return review.recommendation_approve(
        actor=approver, review=recommendation, at=when + dt.timedelta(hours=1)
    )


def ready_to_submit(users, case):
    """Interviewed and recommended with approval: the two gates before a pledge."""
    interview_done(case)
    review_approved(users, case)
    return case


def bring_to(users, case, state: str, *, pledge_=None, exit_checks=True, day=0.0, reviewed=True):
    """Moves `case` through the workflow to `state`, dated from T0 + day. The case is
    interviewed before it is assessed and, unless `reviewed` is False, recommended with a
    second user's approval once assessed (the two gates of issue 18)."""
    rs, dl = users[roles.RESETTLEMENT], users[roles.ADMIN]
    steps = {
        State.IDENTIFIED: ["identify"],
        State.ASSESSED: ["identify", "assess"],
        State.SUBMITTED: ["identify", "assess", "submit"],
        State.ACCEPTED: ["identify", "assess", "submit", "accept"],
        State.REJECTED: ["identify", "assess", "submit", "reject"],
        State.WITHDRAWN: ["identify", "assess", "submit", "withdraw"],
        State.READY: ["identify", "assess", "submit", "accept", "checks", "mark_ready"],
        State.DEPARTED: [
            "identify",
            "assess",
            "submit",
            "accept",
            "checks",
            "mark_ready",
            "depart",
        ],
        State.ON_HOLD: ["identify", "assess", "submit", "hold"],
        State.DEFERRED: ["identify", "assess", "submit", "defer"],
        State.INFO_REQUESTED: ["identify", "assess", "submit", "request_info"],
    }[state]
    if state == State.ACCEPTED and not exit_checks:
        pass
    elif state == State.ACCEPTED:
        steps = [*steps, "checks"]
    for i, step in enumerate(steps):
        when = at(day + i)
        if step == "identify":
            services.case_identify(actor=rs, case=case, at=when)
        elif step == "assess":
            interview_done(case)
            services.case_assess(actor=rs, case=case, category="LPN", priority="normal", at=when)
            if reviewed:
                review_approved(users, case)
        elif step == "submit":
            services.case_submit(actor=rs, case=case, pledge=pledge_, at=when)
        elif step == "accept":
            services.submission_accept(actor=dl, case=case, at=when)
        elif step == "reject":
            services.submission_reject(actor=dl, case=case, reason="not eligible", at=when)
        elif step == "defer":
            services.submission_decide(
                actor=dl,
                submission=case.submissions.get(decision=""),
                decision="deferred",
                reason="quota of the year allocated",
                at=when,
            )
        elif step == "request_info":
            services.submission_decide(
                actor=dl,
                submission=case.submissions.get(decision=""),
                decision="info_requested",
                question="the medical report of the principal applicant",
                on=when.date() + dt.timedelta(days=30),
                at=when,
            )
        elif step == "withdraw":
            services.case_withdraw(actor=rs, case=case, reason="family declined", at=when)
        elif step == "hold":
            services.case_hold(actor=rs, case=case, reason="medical review", at=when)
        elif step == "checks":
            record_exit_facts(rs, case, when.date())
        elif step == "mark_ready":
            readiness.follow(rs, [case], on=when.date(), at=when)
        elif step == "depart":
            services.case_depart(case=case, actor=rs, on=when.date())
    return case
