"""The reference operation's relocation, played through the real services.

On the loaded demo population: the pledges of the countries the reference names (Albania,
210 places; Romania considering a group near Craiova) and other resettlement countries
that are illustrative only (Germany, Norway, the Netherlands, the United States,
Finland), then 2012–2013 history dated as it happened: identification, assessment,
1,400 cases submitted (on the full population), decisions, resubmissions after
rejections, withdrawals, holds, and the requirements met before departure (readiness
facts, onward.readiness.demo), after which a case follows readiness to ready.

Albanian cases are left "ready" in two groups of exactly 44 and 27 persons, and more
ready cases on the other pledges, for the transfers (another app) to depart: departures
are never recorded here. Every step goes through `services.cases_transition_bulk`, which
keeps the same guards, history and audit as a single step.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from onward.accounts import roles
from onward.registry.models import Case
from onward.relocation import guards, review, services, workflow
from onward.relocation.models import (
    Category,
    Pledge,
    RelocationCase,
    State,
    Submission,
)
from onward.relocation.usage import cases_profile

READY = "(readiness)"  # a plan step: the requirements met, then the case follows readiness
FULL_SUBMITTED = 1400
FULL_CASES = 1884

# (key, country, name, valid_from, valid_to, status, capacities, criteria, weight)
PLEDGES = [
    (
        "ALB",
        "ALB",
        "Albania: 210 residents of Camp Liberty",
        "2013-02-15",
        "2014-12-31",
        "open",
        {"persons": 210},
        {"nationalities": ["IRN"]},
        0,
    ),
    (
        "DEU",
        "DEU",
        "Germany: humanitarian admission 2012–2013",
        "2012-07-01",
        "2013-12-31",
        "open",
        {"persons": 100, "large_family": 8},
        {"max_case_size": 6},
        3,
    ),
    (
        "NOR",
        "NOR",
        "Norway: resettlement quota 2013",
        "2012-09-01",
        "2013-12-31",
        "open",
        {"persons": 60},
        {"max_case_size": 5},
        2,
    ),
    (
        "NLD",
        "NLD",
        "Netherlands: resettlement quota 2013",
        "2012-09-01",
        "2013-12-31",
        "open",
        {"persons": 50},
        {"max_case_size": 5},
        2,
    ),
    (
        "USA",
        "USA",
        "United States: resettlement program 2012–2013",
        "2012-06-01",
        "2014-06-30",
        "open",
        {"persons": 200, "medical": 20},
        {},
        4,
    ),
    (
        "FIN",
        "FIN",
        "Finland: medical and emergency places",
        "2012-10-01",
        "2013-12-31",
        "open",
        {"persons": 40, "medical": 15},
        {"needs_served": ["SM", "DS"], "max_case_size": 4},
        1,
    ),
    (
        "ROU",
        "ROU",
        "Romania: a group near Craiova (under consideration)",
        "2013-06-01",
        None,
        "draft",
        {"persons": 0},
        {},
        0,
    ),
]
ALBANIA_GROUPS = (44, 27)
ALBANIA_DAY0 = dt.date(2013, 2, 20)  # Albania's first submissions
REJECTION_REASONS = [
    "Outside the pledge's criteria",
    "Security screening not cleared",
    "Family composition not accepted",
    "Quota allocated to other profiles",
]


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _pick(users: dict, role: str):
    for user in users.values():
        if user.role == role:
            return user
    raise KeyError(f"demo_relocation needs a user with role {role}")


def _eligible(case, pledge, profile, day: dt.date) -> bool:
    """Whether the workflow's pair guards would let `case` go to `pledge` on `day`."""
    step = workflow.Step(case=case, action="submit", pledge=pledge, profile=profile, at=_aware(day))
    return not any(
        g(step, None)
        for g in (
            workflow.pledge_is_valid_on_date,
            workflow.case_size_within_pledge_limit,
            workflow.needs_served_by_pledge,
            workflow.nationalities_accepted_by_pledge,
        )
    )


def _subset(pool: list[tuple[int, int]], target: int) -> list[int]:
    """Case pks from `pool` [(pk, size)], largest first, summing exactly to `target`."""
    chosen, total = [], 0
    for pk, size in sorted(pool, key=lambda x: -x[1]):
        if total + size <= target:
            chosen.append(pk)
            total += size
        if total == target:
            return chosen
    raise ValueError(f"cannot make a group of {target} persons from the cases available")


@transaction.atomic
def demo_relocation(
    *,
    users: dict,
    record_interviews: RecordInterviews,
    rng_seed: int = 2013,
    submitted: int | None = None,
    log=print,
) -> dict:
    """Plays the operation's relocation history on the loaded population; returns its
    figures and the Albanian groups ready to depart. Idempotent: when relocation records
    exist already (a second `onward demo`), adds nothing and returns {}.

    `record_interviews({case pk: assessed at})` records each case's completed
    resettlement interview before it is assessed (the interviews app's
    `interviews.demo.interviews_completed_bulk`: that app sits above this one)."""
    if RelocationCase.objects.exists() or Pledge.objects.exists():
        return {}
    history = _History(users, random.Random(rng_seed))
    history.pledges_open()
    history.cases_load(submitted)
    groups = history.albania_ready_groups()
    history.albania_more()
    history.other_pledges()
    history.not_submitted()
    # Play it, one action at a time, through the bulk service.
    play(history.plan, history.by_pk, history.officer, users, record_interviews)
    log(
        f"Relocation: {len(history.plan):,} cases with a history on {len(history.pledges)} pledges."
    )
    from onward.relocation import selectors

    return {
        "pledges": {key: p.pk for key, p in history.pledges.items()},
        "figures": {key: _figures(p) for key, p in history.pledges.items()},
        "funnel": selectors.funnel(),
        "albania_groups": [[history.by_pk[pk].case_id for pk in g] for g in groups],
        "albania_group_sizes": [sum(history.size[pk] for pk in g) for g in groups],
    }


class _History:
    """The plan of the 2012–2013 history: per case, its dated steps (action, when,
    parameters), drawn from one random stream. The order of the draws is the history:
    changing it changes every demo figure (the seed-figure test reads them)."""

    def __init__(self, users: dict, rng: random.Random):
        self.rng = rng
        self.officer, self.admin = _pick(users, roles.RESETTLEMENT), _pick(users, roles.ADMIN)
        self.delegation = next(
            (u for u in users.values() if u.role == roles.DELEGATION and u.country == "ALB"),
            self.admin,
        )
        self.plan: dict[int, list[tuple[str, dt.datetime, dict]]] = defaultdict(list)
        self.planned: set[int] = set()
        self.pledges: dict[str, Pledge] = {}
        self.weights = {key: w for key, *_rest, w in PLEDGES}
        self.room = {k: dict(caps) for k, _c, _n, _s, _e, _st, caps, _cr, _w in PLEDGES}

    def pledges_open(self) -> None:
        for key, country, name, start, end, status, caps, criteria, _w in PLEDGES:
            self.pledges[key] = services.pledge_create(
                actor=self.officer,
                at=_aware(_d(start) - dt.timedelta(days=20)),
                data={
                    "country": country,
                    "name": name,
                    "valid_from": start,
                    "valid_to": end or "",
                    "status": status,
                    "capacities": caps,
                    **criteria,
                },
            )

    def cases_load(self, submitted: int | None) -> None:
        """The open cases with persons, shuffled; those to submit and the rest."""
        cases = list(Case.objects.filter(status=Case.Status.OPEN).order_by("case_id"))
        profiles = cases_profile([c.pk for c in cases])
        cases = [c for c in cases if profiles[c.pk].usage["persons"]]
        self.profiles, self.by_pk = profiles, {c.pk: c for c in cases}
        self.size = {c.pk: profiles[c.pk].usage["persons"] for c in cases}
        self.usage = {c.pk: profiles[c.pk].usage for c in cases}
        n = len(cases)
        # The reference's 1,400 on the demo population (about 1,850 cases); scaled on a
        # smaller one (tests), keeping the same proportion.
        target = (
            submitted
            if submitted is not None
            else (
                FULL_SUBMITTED
                if n >= FULL_SUBMITTED * 1.25
                else round(FULL_SUBMITTED * n / FULL_CASES)
            )
        )
        self.rng.shuffle(cases)
        blocked = guards.cases_with_unresolved_duplicates(cases)
        candidates = [c for c in cases if c.pk not in blocked]
        self.to_submit, self.rest = candidates[:target], candidates[target:]

    # --- Rules of the plan -------------------------------------------------------------------
    def eligible(self, case, key: str, day: dt.date) -> bool:
        return _eligible(case, self.pledges[key], self.profiles[case.pk], day)

    def decision_day(self, key: str, day: dt.date) -> dt.date:
        """A pledge decides within its validity (past its end it takes nothing): a
        decision that would fall after the end is dated the pledge's last day."""
        end = self.pledges[key].valid_to
        return min(day, end) if end else day

    def fits(self, key: str, pk: int) -> bool:
        return all(self.usage[pk].get(d, 0) <= left for d, left in self.room[key].items())

    def take(self, key: str, pk: int) -> None:
        for d in self.room[key]:
            self.room[key][d] -= self.usage[pk].get(d, 0)

    def begin(self, pk: int, submit_day: dt.date, key: str) -> None:
        """identify -> assess -> submit, spread over the weeks before `submit_day`."""
        rng = self.rng
        identified = submit_day - dt.timedelta(days=rng.randint(40, 120))
        assessed = identified + dt.timedelta(days=rng.randint(7, 30))
        self.plan[pk] += [
            ("identify", _aware(identified), {}),
            (
                "assess",
                _aware(assessed),
                {
                    "category": rng.choices(Category.values, [5, 3, 2, 1, 1, 1, 3])[0],
                    "priority": rng.choices(["emergency", "urgent", "normal"], [1, 4, 15])[0],
                },
            ),
            ("submit", _aware(submit_day), {"pledge": self.pledges[key]}),
        ]

    def ready(self, pk: int, accepted_on: dt.date, ready_by: dt.date | None = None) -> None:
        """The former three exit checks, three days apart, recorded as readiness facts for
        every member; the case follows readiness to ready on the eighth day."""
        checks_from = accepted_on + dt.timedelta(days=self.rng.randint(5, 20))
        days = [checks_from + dt.timedelta(days=3 * i) for i in range(3)]
        day = checks_from + dt.timedelta(days=8)
        if ready_by and day > ready_by:
            raise ValueError("ready too late")
        self.plan[pk].append((READY, _aware(day, 15), {"days": days}))

    def accept(self, key: str, pk: int, decided: dt.date, decider) -> None:
        self.take(key, pk)
        self.plan[pk].append(("accept", _aware(decided, 11), {"decider": decider}))

    # --- The history, pledge by pledge ---------------------------------------------------------
    def albania_ready_groups(self) -> list[list[int]]:
        """Albania's two groups ready to depart (44 + 27 persons): submitted February–March
        2013, accepted, ready by May. Sets aside the other Albanian candidates."""
        rng, day0 = self.rng, ALBANIA_DAY0
        pool_all = [
            (c.pk, self.size[c.pk]) for c in self.to_submit if self.eligible(c, "ALB", day0)
        ]
        pool_all.sort(key=lambda x: -x[1])
        groups, used = [], set()
        for group_size in ALBANIA_GROUPS:
            group = _subset([x for x in pool_all if x[0] not in used], group_size)
            used.update(group)
            groups.append(group)
        self.alb_more = [pk for pk, _s in pool_all if pk not in used]
        rng.shuffle(self.alb_more)
        for group in groups:
            for pk in group:
                submit_day = day0 + dt.timedelta(days=rng.randint(0, 25))
                self.begin(pk, submit_day, "ALB")
                accepted = submit_day + dt.timedelta(days=rng.randint(14, 30))
                self.accept("ALB", pk, accepted, self.delegation)
                self.ready(pk, accepted, ready_by=_d("2013-05-15"))
                self.planned.add(pk)
        return groups

    def albania_more(self) -> None:
        """More Albanian submissions through 2013: accepted while places last, some
        pending, some declined by the applicants at first (withdrawn), some rejected."""
        rng = self.rng
        for pk in self.alb_more[: max(1, len(self.to_submit) * 260 // FULL_SUBMITTED)]:
            submit_day = ALBANIA_DAY0 + dt.timedelta(days=rng.randint(0, 200))
            self.begin(pk, submit_day, "ALB")
            decided = submit_day + dt.timedelta(days=rng.randint(20, 60))
            roll = rng.random()
            if (
                roll < 0.40
                and self.fits("ALB", pk)
                and self.room["ALB"]["persons"] - self.size[pk] >= 50
            ):
                self.accept("ALB", pk, decided, self.delegation)
                if rng.random() < 0.3:
                    self.ready(pk, decided)
            elif roll < 0.55:
                self.plan[pk].append(
                    (
                        "withdraw",
                        _aware(decided),
                        {"reason": "Declined by the applicant (the offer was at first refused)"},
                    )
                )
            elif roll < 0.70:
                self.plan[pk].append(
                    (
                        "reject",
                        _aware(decided, 11),
                        {"reason": rng.choice(REJECTION_REASONS), "decider": self.delegation},
                    )
                )
            self.planned.add(pk)

    def other_pledges(self) -> None:
        """Everyone else submitted: to the other open pledges, by weight."""
        others = [k for k, w in self.weights.items() if w]
        for case in self.to_submit:
            if case.pk not in self.planned:
                self.other_pledge(case, others)

    def other_pledge(self, case, others: list[str]) -> None:
        rng = self.rng
        submit_day = _d("2012-09-15") + dt.timedelta(days=rng.randint(0, 360))
        keys = [k for k in others if self.eligible(case, k, submit_day)]
        if not keys:
            submit_day = _d("2013-03-01") + dt.timedelta(days=rng.randint(0, 150))
            keys = [k for k in [*others, "ALB"] if self.eligible(case, k, submit_day)]
        if not keys:  # no pledge would take it (never with the USA's open criteria)
            self.rest.append(case)
            return
        key = rng.choices(keys, [self.weights[k] or 1 for k in keys])[0]
        self.begin(case.pk, submit_day, key)
        decided = submit_day + dt.timedelta(days=rng.randint(30, 120))
        roll = rng.random()
        if roll < 0.30 and self.fits(key, case.pk):
            decided = self.decision_day(key, decided)
            self.accept(key, case.pk, decided, self.admin)
            # Most accepted cases get ready: the transfers (movements demo) fly 240 of
            # them out by UNHCR's date, beside Albania's 71 (311 relocated in all).
            if rng.random() < 0.85:
                self.ready(case.pk, decided)
        elif roll < 0.55:
            self.reject_then_resubmit(case, key, others, decided)
        elif roll < 0.58:
            self.plan[case.pk].append(
                ("withdraw", _aware(decided), {"reason": "The family asked to withdraw"})
            )
        elif roll < 0.61:
            self.plan[case.pk].append(
                ("hold", _aware(decided), {"reason": "Pending a protection review"})
            )
        self.planned.add(case.pk)

    def reject_then_resubmit(self, case, key: str, others: list[str], decided: dt.date) -> None:
        """Rejected; resubmitted to another pledge after the rejection, for some."""
        rng = self.rng
        self.plan[case.pk].append(
            (
                "reject",
                _aware(decided, 11),
                {"reason": rng.choice(REJECTION_REASONS), "decider": self.admin},
            )
        )
        again = decided + dt.timedelta(days=rng.randint(10, 40))
        alt = [k for k in others if k != key and self.eligible(case, k, again)]
        if alt and rng.random() < 0.5:
            self.plan[case.pk].append(
                ("resubmit", _aware(again), {"pledge": self.pledges[rng.choice(alt)]})
            )

    def not_submitted(self) -> None:
        """Cases identified or assessed but not (yet) submitted, and the rest not
        identified."""
        rng = self.rng
        for case in self.rest[: len(self.rest) // 2]:
            day = _d("2013-06-01") + dt.timedelta(days=rng.randint(0, 120))
            self.plan[case.pk].append(("identify", _aware(day), {}))
            if rng.random() < 0.5:
                self.plan[case.pk].append(
                    (
                        "assess",
                        _aware(day + dt.timedelta(days=rng.randint(5, 30))),
                        {"category": "LAI", "priority": "normal"},
                    )
                )


RecordInterviews = Callable[[dict[int, dt.datetime]], int]


def _gates_before(action, pks, steps, by_pk, users, officer, record_interviews) -> None:
    """What the workflow requires before an assessment (a completed interview) and a
    submission (a recommendation approved by a second user): recorded in bulk for the
    cases of the batch that lack it, dated just before the step. Draws nothing from the
    random stream, so every figure of the history stays as it was."""
    when = {pk: s[1] for pk, s in zip(pks, steps, strict=True)}
    if action == "assess":
        done = guards.cases_with_complete_interview(pks)
        record_interviews({pk: when[pk] for pk in pks if pk not in done})
    elif action in ("submit", "resubmit"):
        latest = review.latest_reviews(pks)
        categories = dict(
            RelocationCase.objects.filter(case_id__in=pks).values_list("case_id", "category")
        )
        rows = {
            by_pk[pk]: (
                categories.get(pk) or "LAI",
                when[pk] - dt.timedelta(days=5),
                when[pk] - dt.timedelta(days=2),
            )
            for pk in pks
            if not (
                pk in latest and latest[pk].recommendation == "recommend" and latest[pk].is_approved
            )
        }
        approver = next(
            (u for u in users.values() if u.role == roles.PROTECTION),
            _pick(users, roles.ADMIN),
        )
        review.recommendations_approved_bulk(recommender=officer, approver=approver, rows=rows)


def play(plan, by_pk, officer, users, record_interviews: RecordInterviews) -> None:
    """Runs the plan: repeatedly, the next step of every case, grouped by action (and, for
    decisions, by who decides), each group in one bulk call, each after the gates it
    needs (`_gates_before`)."""
    position = {pk: 0 for pk in plan}
    while True:
        batch: dict[tuple, list[int]] = defaultdict(list)
        for pk, steps in plan.items():
            if position[pk] < len(steps):
                action, _at, params = steps[position[pk]]
                decider = params.get("decider")
                batch[(action, params.get("kind", ""), decider.pk if decider else 0)].append(pk)
        if not batch:
            return
        for (action, _kind, _decider), pks in batch.items():
            steps = [plan[pk][position[pk]] for pk in pks]
            actor = steps[0][2].get("decider") or officer
            if action == READY:
                from onward.readiness.demo import demo_ready

                demo_ready(
                    actor,
                    {by_pk[pk]: (s[1], s[2]["days"]) for pk, s in zip(pks, steps, strict=True)},
                )
                for pk in pks:
                    position[pk] += 1
                continue
            _gates_before(action, pks, steps, by_pk, users, officer, record_interviews)
            per_case = defaultdict(dict)
            for pk, (_a, _t, params) in zip(pks, steps, strict=True):
                for k, v in params.items():
                    if k != "decider":
                        per_case[f"{k}_by_case"][pk] = v
            services.cases_transition_bulk(
                actor=actor,
                action=action,
                cases=[by_pk[pk] for pk in pks],
                at={pk: s[1] for pk, s in zip(pks, steps, strict=True)},
                **per_case,
            )
            for pk in pks:
                position[pk] += 1


# --- The present day ------------------------------------------------------------------------
# The history above ends in 2014; the README's tour is done today. So the demo adds a
# present-day state, dated back from the day it is run: pledges open now with room,
# cases assessed and waiting, submissions awaiting the delegation's decision, accepted
# cases ready for departure (the movements demo plans a transfer for next week). The
# dated history keeps every figure of the reference operation at its date.
PRESENT_NOTE = (
    "The demo's present day: the reference operation's history ends in 2014; "
    "this pledge, dated from the day the demo was loaded, lets its tour be done "
    "today."
)
# (key, country, name, capacities, criteria, submitted, accepted, ready)
PRESENT_PLEDGES = [
    (
        "ALB",
        "ALB",
        "Albania: further places for Camp Liberty",
        {"persons": 150},
        {"nationalities": ["IRN"]},
        12,
        4,
        4,
    ),
    (
        "DEU",
        "DEU",
        "Germany: humanitarian admission {year}",
        {"persons": 60, "large_family": 4},
        {"max_case_size": 6},
        8,
        5,
        4,
    ),
    (
        "FIN",
        "FIN",
        "Finland: medical places {year}",
        {"persons": 20, "medical": 10},
        {"needs_served": ["SM", "DS"], "max_case_size": 4},
        3,
        0,
        0,
    ),
]
NEWLY_ASSESSED = 20


@transaction.atomic
def demo_relocation_today(
    *,
    users: dict,
    record_interviews: RecordInterviews,
    today: dt.date | None = None,
    rng_seed: int = 2026,
    log=print,
) -> dict:
    """The present-day state (see PRESENT_NOTE), every step dated back from `today`
    through the same bulk service as the history. Adds nothing when it is there already,
    or when the history was not played."""
    if Pledge.objects.filter(notes=PRESENT_NOTE).exists() or not RelocationCase.objects.exists():
        return {}
    today = today or timezone.localdate()
    rng = random.Random(rng_seed)
    officer, admin = _pick(users, roles.RESETTLEMENT), _pick(users, roles.ADMIN)
    delegation = next(
        (u for u in users.values() if u.role == roles.DELEGATION and u.country == "ALB"), admin
    )

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    pledges = {}
    for key, country, name, caps, criteria, *_n in PRESENT_PLEDGES:
        pledges[key] = services.pledge_create(
            actor=officer,
            at=_aware(ago(130)),
            data={
                "country": country,
                "name": name.format(year=today.year),
                "valid_from": str(ago(120)),
                "valid_to": str(today + dt.timedelta(days=245)),
                "status": "open",
                "capacities": caps,
                "notes": PRESENT_NOTE,
                **criteria,
            },
        )
    plan: dict[int, list] = defaultdict(list)
    # More cases identified and assessed in the last months, beside those waiting since 2013.
    fresh = list(
        Case.objects.filter(
            status=Case.Status.OPEN, relocation__isnull=True, removed_at__isnull=True
        ).order_by("case_id")
    )
    rng.shuffle(fresh)
    for case in fresh[:NEWLY_ASSESSED]:
        day = ago(rng.randint(70, 100))
        plan[case.pk] += [
            ("identify", _aware(day), {}),
            (
                "assess",
                _aware(day + dt.timedelta(days=rng.randint(5, 20))),
                {
                    "category": rng.choice(["LPN", "MED", "FRU", "WAR", "LAI"]),
                    "priority": rng.choices(["urgent", "normal"], [1, 4])[0],
                },
            ),
        ]
    waiting = list(
        Case.objects.filter(relocation__state=State.ASSESSED, status=Case.Status.OPEN).order_by(
            "case_id"
        )
    )
    blocked = guards.cases_with_unresolved_duplicates(waiting)
    profiles = cases_profile([c.pk for c in waiting])
    waiting = [c for c in waiting if c.pk not in blocked and profiles[c.pk].usage["persons"]]
    rng.shuffle(waiting)
    used: set[int] = set()
    for key, _c, _n, caps, _cr, n_submitted, n_accepted, n_ready in PRESENT_PLEDGES:
        pledge, room = pledges[key], dict(caps)
        chosen = []
        for case in waiting:
            usage = profiles[case.pk].usage
            if (
                case.pk in used
                or not _eligible(case, pledge, profiles[case.pk], ago(40))
                or any(usage.get(d, 0) > left for d, left in room.items())
            ):
                continue
            chosen.append(case)
            used.add(case.pk)
            for d in room:
                room[d] -= usage.get(d, 0)
            if len(chosen) == n_submitted:
                break
        decider = delegation if key == "ALB" else admin
        for i, case in enumerate(chosen):
            plan[case.pk].append(("submit", _aware(ago(rng.randint(30, 45))), {"pledge": pledge}))
            if i < n_accepted:
                plan[case.pk].append(
                    ("accept", _aware(ago(rng.randint(20, 25)), 11), {"decider": decider})
                )
            if i < n_ready:
                days = [ago(15 - k) for k in range(3)]
                plan[case.pk].append((READY, _aware(ago(rng.randint(2, 6)), 15), {"days": days}))
    by_pk = {c.pk: c for c in Case.objects.filter(pk__in=plan)}
    play(plan, by_pk, officer, users, record_interviews)
    _reviews_waiting_today(users, officer, ago)
    figures = {key: _figures(p) for key, p in pledges.items()}
    log(
        f"Today ({today}): {len(pledges)} pledges open with room, "
        f"{RelocationCase.objects.filter(state=State.ASSESSED).count()} cases assessed and "
        f"waiting, {Submission.objects.filter(decision='', pledge__in=pledges.values()).count()}"
        " submissions awaiting a decision."
    )
    return {"pledges": {key: p.pk for key, p in pledges.items()}, "figures": figures}


REVIEWED_TODAY, RECOMMENDED_TODAY = 15, 5


def _reviews_waiting_today(users, officer, ago) -> None:
    """Of the cases assessed and waiting, the first (by case id) are recommended with a
    second user's approval, ready to submit today; the next few are recommended and wait
    for the approval (the reviews page). Picked in order, not drawn: the random stream,
    and so every figure, stays as it was."""
    waiting = [
        rc.case
        for rc in RelocationCase.objects.filter(
            state=State.ASSESSED, case__status=Case.Status.OPEN
        ).select_related("case")[: REVIEWED_TODAY + RECOMMENDED_TODAY]
    ]
    latest = review.latest_reviews([c.pk for c in waiting])
    approver = next(
        (u for u in users.values() if u.role == roles.PROTECTION), _pick(users, roles.ADMIN)
    )
    fresh = [c for c in waiting if c.pk not in latest]
    categories = dict(
        RelocationCase.objects.filter(case__in=fresh).values_list("case_id", "category")
    )
    review.recommendations_approved_bulk(
        recommender=officer,
        approver=approver,
        rows={
            c: (categories[c.pk] or "LAI", _aware(ago(12)), _aware(ago(10)))
            for c in fresh[:REVIEWED_TODAY]
        },
    )
    for case in fresh[REVIEWED_TODAY:]:
        review.recommendation_record(
            actor=officer,
            case=case,
            recommendation="recommend",
            primary_category=categories[case.pk] or "LAI",
            at=_aware(ago(3)),
        )


# The present day's decisions as countries give them (issue 18, Handbook 4.10), on the
# submissions awaiting a decision under the pledges open now, picked by case id (nothing
# drawn): (country, decision, reason or question, days ago decided, days to its date,
# answered days ago or None). Albania's pending submissions stay for the tour, its
# mission and its split decision (onward.composition.demo).
DECISIONS_TODAY = [
    ("FIN", "deferred", "Places of the next cycle: decision at the next review", 9, 60, None),
    (
        "FIN",
        "info_requested",
        "The specialist's report on the principal applicant's condition",
        7,
        14,
        None,
    ),
    (
        "DEU",
        "info_requested",
        "The marriage certificate of the principal applicant and spouse",
        12,
        10,
        5,
    ),
    ("DEU", "deferred", "Security interview to be scheduled by the delegation", 6, None, None),
]


def demo_decisions_today(*, users, today: dt.date | None = None, log=print) -> dict:
    """Deferrals and requests for more information (one answered, one open) on the
    present day's submissions awaiting a decision, through `services.submission_decide`
    and `services.information_answer`. Adds nothing when a present-day submission was
    deferred or asked about already, or when the present day was not played."""
    from onward.relocation.models import InformationRequest

    pledges = {p.country: p for p in Pledge.objects.filter(notes=PRESENT_NOTE)}
    if (
        not pledges
        or InformationRequest.objects.filter(submission__pledge__in=pledges.values()).exists()
    ):
        return {}
    if Submission.objects.filter(
        pledge__in=pledges.values(), case__relocation__state=State.DEFERRED
    ).exists():
        return {}
    today = today or timezone.localdate()
    officer, admin = _pick(users, roles.RESETTLEMENT), _pick(users, roles.ADMIN)
    done: dict[str, list[str]] = defaultdict(list)
    used: set[int] = set()
    for country, decision, text, ago, due, answered in DECISIONS_TODAY:
        pledge = pledges.get(country)
        submission = (
            Submission.objects.filter(
                pledge=pledge, decision="", case__relocation__state="submitted"
            )
            .exclude(pk__in=used)
            .select_related("case")
            .order_by("case__case_id")
            .first()
            if pledge
            else None
        )
        if submission is None:
            continue
        used.add(submission.pk)
        at = _aware(today - dt.timedelta(days=ago), 11)
        services.submission_decide(
            actor=admin,
            submission=submission,
            decision=decision,
            reason=text if decision == "deferred" else "",
            question=text if decision == "info_requested" else "",
            on=today + dt.timedelta(days=due) if due else None,
            at=at,
        )
        if answered is not None:
            services.information_answer(
                actor=officer,
                case=submission.case,
                answer="Sent: a certified copy, with its translation (in the case's documents).",
                at=_aware(today - dt.timedelta(days=answered), 14),
            )
        done[decision if answered is None else "answered"].append(submission.case.case_id)
    log(
        "Today: deferred "
        + ", ".join(done["deferred"])
        + "; information requested "
        + ", ".join(done["info_requested"])
        + "; answered "
        + ", ".join(done["answered"])
        + "."
    )
    return dict(done)


def _figures(pledge) -> dict:
    from onward.relocation.selectors import pledge_figures

    return pledge_figures(pledge)["persons"]


__all__ = ["demo_relocation", "State"]
