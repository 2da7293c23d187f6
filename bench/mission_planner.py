"""The selection-mission planner against a first-come baseline (issue 18).

    .venv/bin/python bench/mission_planner.py [--cases 300] [--days 5] [--rooms 6] [--seed 1]

A synthetic mission, the shape of the reference operation's caseload: 300 cases of 1-9
persons (mostly 2-5), 5% emergency and 20% urgent, a third needing an interpreter
(Dari, Pashto, Arabic, Kurmanji, Tigrinya; a few needing two), over 5 days of 8 one-hour
slots in 6 rooms, with 6 interviewers and 5 interpreters (two speak two languages).
The grid holds 240 room-slots and the cases ask for more, so both methods must choose.

Prints, for `planner.plan` (HiGHS MIP, then greedy fill) and `planner.first_come`
(arrival order, earliest free place): cases placed, urgency-weighted fill (weight
placed / weight asked, emergency 100, urgent 10, normal 1), slots used, per priority
placed and mean day, and the wall time; then the greedy alone taking the most urgent
first (the MIP's start), for reference. The engine only: no database.
"""

import argparse
import json
import random
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from onward.interviews.planner import Grid, Need, first_come, plan  # noqa: E402

LANGUAGES = ["prs", "ps", "ar", "kmr", "ti"]


def synthetic(n: int, seed: int) -> list[Need]:
    rng = random.Random(seed)
    needs = []
    for i in range(n):
        size = rng.choices(range(1, 10), weights=[14, 20, 20, 16, 12, 8, 5, 3, 2])[0]
        priority = rng.choices(["emergency", "urgent", "normal"], weights=[5, 20, 75])[0]
        langs: frozenset[str] = frozenset()
        if rng.random() < 1 / 3:
            langs = frozenset(
                rng.sample(LANGUAGES[:3], 2) if rng.random() < 0.1 else [rng.choice(LANGUAGES)]
            )
        needs.append(Need(key=f"C{i:05d}", size=size, priority=priority, languages=langs, order=i))
    return needs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--days", type=int, default=5)
    ap.add_argument("--rooms", type=int, default=6)
    ap.add_argument("--slots", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=7.0)
    args = ap.parse_args()
    grid = Grid(
        days=args.days,
        slots=args.slots,
        rooms=args.rooms,
        interviewers=args.rooms,
        interpreters={
            "I1 prs+ps": frozenset({"prs", "ps"}),
            "I2 ar+prs": frozenset({"ar", "prs"}),
            "I3 ps": frozenset({"ps"}),
            "I4 kmr": frozenset({"kmr"}),
            "I5 ti": frozenset({"ti"}),
        },
    )
    needs = synthetic(args.cases, args.seed)
    asked = sum(n.length for n in needs)
    print(f"{len(needs)} cases asking {asked} slots; grid {grid.days}x{grid.slots}x{grid.rooms}")
    # The greedy alone, most urgent first (what the MIP starts from), for reference.
    ranked = sorted(needs, key=lambda n: (-n.weight, n.order))
    urgent_first = first_come([replace(n, order=i) for i, n in enumerate(ranked)], grid)
    urgent_first.method = "greedy_urgent_first"
    for result in (plan(needs, grid, time_limit=args.time_limit), first_come(needs, grid)):
        print(json.dumps(result.figures()))
    print(json.dumps(urgent_first.figures()))


if __name__ == "__main__":
    main()
