"""The reference operation's movements, played through the movements services on the
demo population: departures on own accord (17 in 2013, senior and older members; 18 in
one escape on one date), the transfers to Albania (groups summing to 71 of the 210
places, the latest of 27) and to the other pledging countries (240 more, so that 311
residents have been relocated by UNHCR's statement of 28 February 2014), if the
relocation demo has left cases ready; and the departures reported at the origin camp
before the move (4, 4 more three months earlier, 58 in all by the Defence Ministry),
kept as the sources' figures outside the ledger: those persons never reached the TTL.

Running it again adds nothing: it stops where the scenario's records already exist.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from onward.accounts import roles
from onward.movements import services
from onward.movements.models import LedgerEntry, Transfer
from onward.registry.models import Person

OWN_ACCORD_2013 = 17
ESCAPE = 18
ESCAPE_DAY = dt.date(2014, 2, 10)
# Albania: earlier groups, then the latest group of 27 that brought the total to 71.
ALBANIA_GROUPS = (("2013-09-30", 14), ("2013-11-18", 30), ("2014-01-27", 27))
TOTAL_ALBANIA = sum(n for _, n in ALBANIA_GROUPS)
# UNHCR: 311 residents relocated to third countries "at that date". The reports give no
# day; the demo dates the statement after Albania's latest group and the escape.
UNHCR_STATEMENT_DAY = dt.date(2014, 2, 28)
RELOCATED_BY_UNHCR_DAY = 311
# Flights to the other pledging countries (illustrative, as those pledges are), each of
# so many persons; the last one takes what brings the total to 311 by UNHCR's date. All
# after the last group reached the TTL (11 September 2013), when it held about 3,200.
OTHER_FLIGHTS = (
    ("USA", "2013-09-24", 45),
    ("DEU", "2013-10-08", 30),
    ("NOR", "2013-10-22", 25),
    ("NLD", "2013-11-05", 20),
    ("USA", "2013-11-26", 45),
    ("FIN", "2013-12-10", 15),
    ("DEU", "2014-01-14", 30),
    ("USA", "2014-02-25", None),
)
# The origin camp, before the move (the year is not in the reports: the demo puts the
# "1 July" report in 2013, while about a hundred residents were still there).
ORIGIN_CAMP = "Origin camp: Camp Ashraf (“Camp New Iraq”), Diyala province"
ORIGIN_REPORTS = (
    {
        "persons": 4,
        "left_on": "2013-04-01",
        "left_on_precision": "M",
        "source": "News reports",
        "stated_on": "2013-07-01",
        "summary": "4 residents left and went to the Iraqi forces, "
        "three months before the 1 July report.",
    },
    {
        "persons": 4,
        "left_on": "2013-07-01",
        "source": "News reports",
        "stated_on": "2013-07-01",
        "summary": "4 residents left the origin camp and went to the Iraqi forces.",
    },
    {
        "persons": 58,
        "cumulative": True,
        "left_on": "2013-07-01",
        "official": True,
        "source": "Iraqi Ministry of Defence",
        "stated_on": "2013-07-01",
        "summary": "The total of residents who left the origin camp, put at 58.",
    },
)


def _actor(users, role: str):
    values = users.values() if isinstance(users, dict) else users
    for user in values:
        if getattr(user, "role", None) == role:
            return user
    raise LookupError(f"the demo needs a user with the role {role}")


def _candidates(exclude_cases: set[int]):
    return (
        Person.objects.filter(
            merged_into__isnull=True,
            departure_date__isnull=True,
            arrival_date__lt=dt.date(2013, 1, 1),
        )
        .exclude(case_id__in=exclude_cases)
        .exclude(birth_date__isnull=True)
        .order_by("person_id")
    )


def _relocation_cases() -> set[int]:
    try:
        from onward.relocation.models import RelocationCase
    except ImportError:
        return set()
    return set(RelocationCase.objects.values_list("case_id", flat=True))


def demo_movements(*, users, rng_seed: int = 2013, log=print) -> dict:
    rng = random.Random(rng_seed)
    officer = _actor(users, roles.PROTECTION)
    summary = {"left_own_accord_2013": 0, "escape": 0, "transfers": [], "albania_departed": 0}
    busy = _relocation_cases()

    with transaction.atomic():
        done = LedgerEntry.objects.filter(
            kind="left_own_accord", date__year=2013, reversed_by__isnull=True
        ).count()
        if done < OWN_ACCORD_2013:
            seniors = list(_candidates(busy).filter(birth_date__lte=dt.date(1953, 12, 31)))
            rng.shuffle(seniors)
            picked, cases = [], set()
            for p in seniors:  # one per case: they left alone, not as families
                if p.case_id not in cases:
                    picked.append(p)
                    cases.add(p.case_id)
                if len(picked) == OWN_ACCORD_2013 - done:
                    break
            for n, person in enumerate(sorted(picked, key=lambda p: p.person_id)):
                day = dt.date(2013, 1, 14) + dt.timedelta(
                    days=int(n * 300 / len(picked)) + rng.randrange(0, 12)
                )
                services.departure_record(
                    actor=officer,
                    person=person,
                    kind="left_own_accord",
                    on=day,
                    note="left the TTL and Iraq (senior member); reported by the host "
                    "government's security official",
                )
            done += len(picked)
        summary["left_own_accord_2013"] = done

        escaped = LedgerEntry.objects.filter(
            kind="left_own_accord", date=ESCAPE_DAY, reversed_by__isnull=True
        ).count()
        if escaped < ESCAPE:
            adults = list(
                _candidates(busy).filter(
                    sex="M", birth_date__gt=dt.date(1960, 1, 1), birth_date__lte=dt.date(1990, 1, 1)
                )
            )
            rng.shuffle(adults)
            picked = adults[: ESCAPE - escaped]
            for n, person in enumerate(picked):
                where = (
                    "handed himself to the Iraqi authorities"
                    if n % 3 == 0
                    else "sought refuge with visiting UNAMI / UNHCR officials"
                )
                services.departure_record(
                    actor=officer,
                    person=person,
                    kind="left_own_accord",
                    on=ESCAPE_DAY,
                    note=f"one organised escape of 18 residents: {where}",
                )
            escaped += len(picked)
        summary["escape"] = escaped

    summary.update(_albania_transfers(users, rng, log))
    summary.update(_other_transfers(users, rng, log, summary["albania_departed"]))
    summary["origin_reported"] = _origin_reports(users)
    log(
        f"Movements: {summary['left_own_accord_2013']} left on own accord in 2013, "
        f"{summary['escape']} in the escape of {ESCAPE_DAY}; "
        f"{summary['albania_departed']} departed to Albania on "
        f"{len(summary['transfers'])} transfers, {summary['relocated']} relocated in all "
        f"by {UNHCR_STATEMENT_DAY}; {summary['origin_reported']} reported leaving the "
        "origin camp."
    )
    return summary


def _subset(cases: list, target: int) -> list:
    """Cases whose sizes sum to `target` exactly (a small subset sum), or [] if none."""
    best: dict[int, list] = {0: []}
    for case, size in cases:
        for total, chosen in list(best.items()):
            t = total + size
            if t <= target and t not in best:
                best[t] = [*chosen, (case, size)]
        if target in best:
            return best[target]
    return []


def _albania_transfers(users, rng, log) -> dict:
    try:
        from onward.relocation.models import Pledge
        from onward.relocation.selectors import pledge_figures
    except ImportError:
        log("Transfers skipped: the relocation app is not installed.")
        return {"transfers": [], "albania_departed": 0}
    pledge = Pledge.objects.filter(country="ALB").order_by("id").first()
    if pledge is None:
        log("Transfers skipped: no Albanian pledge (run the relocation demo first).")
        return {"transfers": [], "albania_departed": 0}
    rs = _actor(users, roles.RESETTLEMENT)
    _fitness_required(pledge)
    made = []
    for n, (day_text, size) in enumerate(ALBANIA_GROUPS):
        day = dt.date.fromisoformat(day_text)
        if Transfer.objects.filter(pledge=pledge, date=day).exclude(status="cancelled").exists():
            made.append(Transfer.objects.filter(pledge=pledge, date=day).first().pk)
            continue
        chosen = _subset(_ready_by(pledge, day, rng), size)
        if not chosen:
            log(
                f"Transfers: not enough Albanian cases ready by {day} for a group of {size}; "
                "stopping here."
            )
            break
        _fitness_checks(rs, day, [c for c, _n in chosen], expired=n == len(ALBANIA_GROUPS) - 1)
        made.append(_fly(rs, pledge, day, chosen, "flight from Baghdad International Airport").pk)
    departed = (pledge_figures(pledge).get("persons") or {}).get("departed", 0)
    return {"transfers": made, "albania_departed": departed}


# Albania's pledge asks a fitness-to-travel check within 72 hours of the flight (IOM's
# pre-embarkation check; the engine counts it in days): its own requirement, beside the
# country's three former exit checks. Each flight's travellers are checked two days
# before it; on the latest flight one traveller's first check (ten days before) had
# expired and was done again the day before (docs/readiness.md, "Demo").
FITNESS_VALID_DAYS = 3
FITNESS_BEFORE = 2
FITNESS_EXPIRED_BEFORE, FITNESS_REDONE_BEFORE = 10, 1


def _fitness_required(pledge) -> None:
    from onward.readiness.models import Kind, Requirement

    Requirement.objects.get_or_create(
        country=pledge.country,
        pledge=pledge,
        kind=Kind.FIT_TO_TRAVEL,
        defaults={"valid_days": FITNESS_VALID_DAYS, "valid_hours_before_departure": 72},
    )


def _fitness_checks(rs, day: dt.date, cases: list, *, expired: bool) -> None:
    """Each traveller's fitness-to-travel check before the flight of `day` (passed); with
    `expired`, the first traveller of the largest case had an earlier check that expired
    before the flight and was checked again the day before."""
    from onward.readiness.demo import demo_travel_papers
    from onward.readiness.models import Kind
    from onward.readiness.services import facts_write

    members = list(
        Person.objects.filter(
            case__in=cases,
            merged_into__isnull=True,
            removed_at__isnull=True,
            departure_date__isnull=True,
        ).order_by("person_id")
    )
    if not members:
        return
    rows = [
        {
            "person_id": p.pk,
            "kind": Kind.FIT_TO_TRAVEL,
            "status": "passed",
            "on": day - dt.timedelta(days=FITNESS_BEFORE),
            "evidence": "pre-embarkation check (IOM)",
        }
        for p in members
    ]
    if expired:
        sizes: dict[int, int] = {}
        for p in members:
            sizes[p.case_id] = sizes.get(p.case_id, 0) + 1
        largest = max(sizes, key=lambda pk: (sizes[pk], -pk))
        late = next(i for i, p in enumerate(members) if p.case_id == largest)
        rows[late] = {
            **rows[late],
            "on": day - dt.timedelta(days=FITNESS_EXPIRED_BEFORE),
            "evidence": "pre-embarkation check (IOM): flight not confirmed within 72 hours",
        }
        rows.append(
            {
                **rows[late],
                "on": day - dt.timedelta(days=FITNESS_REDONE_BEFORE),
                "evidence": "pre-embarkation check (IOM), done again: the first one expired",
            }
        )
    # The cases follow readiness on the flight's day (they stay ready: checked in time).
    facts_write(rs, rows, on=day, at=_noon(day))
    # What the manifest carries: travel documents, and the assistance codes (the latest
    # flight, with the expired check, also carries oxygen and a medical escort).
    demo_travel_papers(rs, day, members, escort=expired, at=_noon(day))


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _fly(rs, pledge, day: dt.date, chosen: list, note: str) -> Transfer:
    """One flight, planned, filled and confirmed through the services."""
    with transaction.atomic():
        transfer = services.transfer_plan(
            actor=rs, pledge=pledge, date=day, seats=sum(n for _, n in chosen), note=note
        )
        for case, _ in chosen:
            services.transfer_case_add(actor=rs, transfer=transfer, case=case)
        services.transfer_confirm(actor=rs, transfer=transfer)
    return transfer


def _ready_by(pledge, day: dt.date, rng) -> list:
    from onward.relocation.selectors import cases_ready_for_departure

    # Ready by `day`, every member there by then (a relative who joined the case later
    # cannot fly before arriving).
    ready = [
        (
            c,
            c.members.filter(
                merged_into__isnull=True, removed_at__isnull=True, departure_date__isnull=True
            ).count(),
        )
        for c in cases_ready_for_departure(pledge=pledge)
        .filter(relocation__state_entered_at__date__lte=day)
        .exclude(members__arrival_date__gt=day)
    ]
    rng.shuffle(ready)
    return [(c, n) for c, n in ready if n]


def _other_transfers(users, rng, log, albania: int) -> dict:
    """The flights to the other pledging countries, so that 311 residents in all have
    been relocated by UNHCR's date. A flight takes exactly its persons when the cases
    ready by its day allow it (else as many as they allow); the last one takes the rest."""
    from onward.relocation.models import Pledge

    if not albania:
        return {"relocated": albania}
    rs = _actor(users, roles.RESETTLEMENT)
    relocated = LedgerEntry.objects.filter(
        kind="relocated", reversed_by__isnull=True, date__lte=UNHCR_STATEMENT_DAY
    ).count()
    for country, day_text, size in OTHER_FLIGHTS:
        day = dt.date.fromisoformat(day_text)
        pledge = Pledge.objects.filter(country=country).order_by("id").first()
        if pledge is None or relocated >= RELOCATED_BY_UNHCR_DAY:
            continue
        if Transfer.objects.filter(pledge=pledge, date=day).exclude(status="cancelled").exists():
            continue
        target = RELOCATED_BY_UNHCR_DAY - relocated if size is None else size
        ready = _ready_by(pledge, day, rng)
        chosen = next((c for t in range(target, 0, -1) if (c := _subset(ready, t))), [])
        if not chosen:
            log(f"Transfers: no case ready under {pledge} by {day}; flight skipped.")
            continue
        _fly(rs, pledge, day, chosen, "flight from Baghdad International Airport")
        relocated += sum(n for _, n in chosen)
    if relocated != RELOCATED_BY_UNHCR_DAY:
        log(
            f"Transfers: {relocated} relocated by {UNHCR_STATEMENT_DAY}, not the reference's "
            f"{RELOCATED_BY_UNHCR_DAY} (too few cases ready on this population)."
        )
    return {"relocated": relocated}


def _origin_reports(users) -> int:
    """The origin camp's departures, as the sources gave them (never in the ledger)."""
    from onward.movements.models import ReportedDeparture
    from onward.movements.selectors import reported_departures, reported_total

    officer = _actor(users, roles.PROTECTION)
    if not ReportedDeparture.objects.filter(place=ORIGIN_CAMP).exists():
        with transaction.atomic():
            for report in ORIGIN_REPORTS:
                services.reported_departure_record(
                    actor=officer, data={"place": ORIGIN_CAMP, "kind": "left_own_accord", **report}
                )
    return reported_total(reported_departures().filter(place=ORIGIN_CAMP)) or 0


def demo_transfer_next_week(*, users, today: dt.date | None = None, log=print) -> dict:
    """The present day's transfer (see relocation.demo.PRESENT_NOTE): a flight to Albania
    planned for a week from `today`, with two of the cases ready under the pledge open now
    on its manifest; the other ready cases stay for the tour to plan and confirm one
    today. Adds nothing when a planned transfer is there already."""
    from onward.relocation.demo import PRESENT_NOTE
    from onward.relocation.models import Pledge

    today = today or timezone.localdate()
    pledge = Pledge.objects.filter(notes=PRESENT_NOTE, country="ALB").first()
    if pledge is None or Transfer.objects.filter(status="planned").exists():
        return {}
    ready = sorted(_ready_by(pledge, today, random.Random(0)), key=lambda cn: cn[0].case_id)
    if len(ready) < 2:
        return {}
    rs = _actor(users, roles.RESETTLEMENT)
    day = today + dt.timedelta(days=7)
    with transaction.atomic():
        transfer = services.transfer_plan(
            actor=rs,
            pledge=pledge,
            date=day,
            seats=sum(n for _, n in ready[:2]) + 4,
            note="flight from Baghdad International Airport",
        )
        for case, _n in ready[:2]:
            services.transfer_case_add(actor=rs, transfer=transfer, case=case)
    log(
        f"Today: transfer {transfer.pk} to Albania planned for {day} "
        f"({sum(n for _, n in ready[:2])} persons on its manifest)."
    )
    return {"transfer": transfer.pk}


MEDICAL_HOLD = "Medical hold: health assessment failed (TB follow-up before flying)"


def demo_medical_hold_today(*, users, today: dt.date | None = None, log=print) -> dict:
    """The present day's split flight (issue 19): yesterday, a family flew to Albania under
    the pledge open now without one member, held back on a medical hold (a failed health
    assessment recorded the day before). The others departed, one ledger entry each; the
    case stays open for the member held back and follows readiness back to accepted.
    Picks, by case id, the first ready case of two or more not on a planned manifest (of
    the Albanian pledge open now, else Germany's). Adds nothing when a hold exists."""
    from onward.movements.models import HeldBack, ManifestLine
    from onward.readiness.models import Kind
    from onward.readiness.services import facts_write, follow
    from onward.relocation.demo import PRESENT_NOTE
    from onward.relocation.models import Pledge

    if HeldBack.objects.exists():
        return {}
    today = today or timezone.localdate()
    day = today - dt.timedelta(days=1)
    planned = set(
        ManifestLine.objects.filter(
            transfer__status="planned", removed_at__isnull=True
        ).values_list("case_id", flat=True)
    )
    for country in ("ALB", "DEU"):
        pledge = Pledge.objects.filter(notes=PRESENT_NOTE, country=country).first()
        if pledge is None:
            continue
        ready = sorted(
            (cn for cn in _ready_by(pledge, day, random.Random(0)) if cn[1] >= 2),
            key=lambda cn: cn[0].case_id,
        )
        ready = [cn for cn in ready if cn[0].pk not in planned]
        if ready:
            break
    else:
        log("Today: no ready case of two or more for the split flight; skipped.")
        return {}
    case, size = ready[0]
    rs = _actor(users, roles.RESETTLEMENT)
    members = list(
        case.members.filter(
            merged_into__isnull=True, removed_at__isnull=True, departure_date__isnull=True
        ).order_by("person_id")
    )
    held = members[-1]
    with transaction.atomic():
        # The case follows at once: no longer ready on the flight's day (its member held).
        facts_write(
            rs,
            [
                {
                    "person_id": held.pk,
                    "kind": Kind.HEALTH_ASSESSMENT,
                    "status": "failed",
                    "on": day - dt.timedelta(days=1),
                    "evidence": "health assessment (IOM): TB follow-up needed",
                }
            ],
            on=day,
            at=_noon(day),
        )
        transfer = services.transfer_plan(
            actor=rs,
            pledge=pledge,
            date=day,
            seats=size,
            note="flight from Baghdad International Airport",
        )
        line = services.transfer_case_add(actor=rs, transfer=transfer, case=case)
        services.transfer_person_hold(
            actor=rs, transfer=transfer, line=line, person=held, reason=MEDICAL_HOLD
        )
        services.transfer_confirm(actor=rs, transfer=transfer)
        follow(rs, [case], on=today)
    log(
        f"Today: case {case.case_id} flew split to {pledge.country} on {day} "
        f"({size - 1} of {size}; {held.person_id} held back on a medical hold)."
    )
    return {"transfer": transfer.pk, "case": case.case_id, "held": held.person_id}
