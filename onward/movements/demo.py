"""The reference operation's movements, played through the movements services on the
demo population: departures on own accord (17 in 2013, senior and older members; 18 in
one escape on one date) and the transfers to Albania (groups summing to 71 of the 210
places, the latest of 27), if the relocation demo has left Albanian cases ready.

Running it again adds nothing: it stops where the scenario's records already exist.
"""

import datetime as dt
import random

from django.db import transaction

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


def _actor(users, role: str):
    values = users.values() if isinstance(users, dict) else users
    for user in values:
        if getattr(user, "role", None) == role:
            return user
    raise LookupError(f"the demo needs a user with the role {role}")


def _candidates(exclude_cases: set[int]):
    return (Person.objects.filter(merged_into__isnull=True, departure_date__isnull=True,
                                  arrival_date__lt=dt.date(2013, 1, 1))
            .exclude(case_id__in=exclude_cases).exclude(birth_date__isnull=True)
            .order_by("person_id"))


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
        done = LedgerEntry.objects.filter(kind="left_own_accord", date__year=2013,
                                          reversed_by__isnull=True).count()
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
                day = dt.date(2013, 1, 14) + dt.timedelta(days=int(n * 300 / len(picked))
                                                          + rng.randrange(0, 12))
                services.departure_record(
                    actor=officer, person=person, kind="left_own_accord", on=day,
                    note="left the TTL and Iraq (senior member); reported by the host "
                         "government's security official")
            done += len(picked)
        summary["left_own_accord_2013"] = done

        escaped = LedgerEntry.objects.filter(kind="left_own_accord", date=ESCAPE_DAY,
                                             reversed_by__isnull=True).count()
        if escaped < ESCAPE:
            adults = list(_candidates(busy).filter(
                sex="M", birth_date__gt=dt.date(1960, 1, 1), birth_date__lte=dt.date(1990, 1, 1)))
            rng.shuffle(adults)
            picked = adults[:ESCAPE - escaped]
            for n, person in enumerate(picked):
                where = ("handed himself to the Iraqi authorities" if n % 3 == 0 else
                         "sought refuge with visiting UNAMI / UNHCR officials")
                services.departure_record(actor=officer, person=person, kind="left_own_accord",
                                          on=ESCAPE_DAY,
                                          note=f"one organised escape of 18 residents: {where}")
            escaped += len(picked)
        summary["escape"] = escaped

    summary.update(_albania_transfers(users, rng, log))
    log(f"Movements: {summary['left_own_accord_2013']} left on own accord in 2013, "
        f"{summary['escape']} in the escape of {ESCAPE_DAY}; "
        f"{summary['albania_departed']} departed to Albania on "
        f"{len(summary['transfers'])} transfers.")
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
        from onward.relocation.selectors import cases_ready_for_departure, pledge_figures
    except ImportError:
        log("Transfers skipped: the relocation app is not installed.")
        return {"transfers": [], "albania_departed": 0}
    pledge = Pledge.objects.filter(country="ALB").order_by("id").first()
    if pledge is None:
        log("Transfers skipped: no Albanian pledge (run the relocation demo first).")
        return {"transfers": [], "albania_departed": 0}
    rs = _actor(users, roles.RESETTLEMENT)
    made = []
    for day_text, size in ALBANIA_GROUPS:
        day = dt.date.fromisoformat(day_text)
        if Transfer.objects.filter(pledge=pledge, date=day).exclude(status="cancelled").exists():
            made.append(Transfer.objects.filter(pledge=pledge, date=day).first().pk)
            continue
        ready = [(c, c.members.filter(merged_into__isnull=True,
                                      departure_date__isnull=True).count())
                 for c in cases_ready_for_departure(pledge=pledge)
                 .filter(relocation__state_entered_at__date__lte=day)]
        rng.shuffle(ready)
        chosen = _subset([(c, n) for c, n in ready if n], size)
        if not chosen:
            log(f"Transfers: not enough Albanian cases ready by {day} for a group of {size}; "
                "stopping here.")
            break
        with transaction.atomic():
            transfer = services.transfer_plan(actor=rs, pledge=pledge, date=day, seats=size,
                                               note="flight from Baghdad International Airport")
            for case, _ in chosen:
                services.transfer_case_add(actor=rs, transfer=transfer, case=case)
            services.transfer_confirm(actor=rs, transfer=transfer)
        made.append(transfer.pk)
    departed = (pledge_figures(pledge).get("persons") or {}).get("departed", 0)
    return {"transfers": made, "albania_departed": departed}
