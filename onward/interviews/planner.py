"""The selection-mission planner: which case is interviewed when, in which room, by which
interviewer, with which interpreter. Plain Python (numpy and HiGHS, no Django): the
service (`missions.py`) gives it numbers and strings and writes what it returns.

The grid: `days` × `slots` time slots of equal length in each of `rooms` rooms, with
`interviewers` interviewers a day (each in one room at a time; 0 means one per room).
A case takes `slot_length(size)` consecutive slots of one day (larger families take
longer) in one room, with one interviewer and, when a member needs one, one interpreter
who speaks every language its members need, for the whole interview.

Objective (`plan`): maximise the urgency-weighted number of cases interviewed,
`WEIGHT[priority]` per case (emergency 100, urgent 10, normal 1: one emergency case
outweighs nine urgent ones), and among plans of equal weight put the more urgent cases
earlier (a tie-break worth less than one normal case in total). A MIP on HiGHS over
x[case, day, first slot]:

- each case at most once;
- at each (day, slot): cases in progress <= min(rooms, interviewers);
- at each (day, slot) and each set Q of interpreter needs (a case's need is the set of
  languages it needs): cases in progress whose need is in Q <= interpreters who can
  serve some need of Q (Hall's condition, so interpreters can be matched slot by slot).

Rooms, interviewers and interpreters are then given in start order (an interval graph:
a free room and interviewer always exist). An interpreter held across slots can in rare
cases leave a case without one; such a case, and any left out, is tried again by the
greedy fill into what is free. `first_come` is the baseline: cases in arrival order,
each at the earliest place free.

What is already booked (`Grid.taken`) is taken before either method starts: the MIP's
capacities at each slot are what is left free.

Members of linked cases on the same day (`links`, pairs of case keys: family unity,
dependency, from onward.composition): for each linked pair and day, the one's x on that
day <= the other's, both ways, so linked cases are interviewed on the same day or not at
all. The greedy fills (the MIP start and the completion) place a linked group together,
on the first day where all of it fits, or on the day its placed members already have.
The first-come baseline ignores links (it is the simple rule the planner is compared
with).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import numpy as np

WEIGHT = {"emergency": 100, "urgent": 10, "normal": 1, "": 1}
MAX_HALL_GROUPS = 8  # beyond this many distinct needs, only each need and all of them


def slot_length(size: int) -> int:
    """Slots a case's interview takes: 1 for up to 3 persons, 2 up to 6, then 3."""
    return 1 if size <= 3 else 2 if size <= 6 else 3


@dataclass(frozen=True)
class Need:
    """A case to interview."""

    key: str  # the case id
    size: int
    priority: str = "normal"  # emergency / urgent / normal
    languages: frozenset[str] = frozenset()  # interpreter languages its members need
    order: int = 0  # arrival order (the first-come baseline)

    @property
    def weight(self) -> int:
        return WEIGHT.get(self.priority, 1)

    @property
    def length(self) -> int:
        return slot_length(self.size)


@dataclass(frozen=True)
class Grid:
    days: int
    slots: int  # per day
    rooms: int
    interviewers: int = 0  # 0: one per room
    interpreters: dict[str, frozenset[str]] = field(default_factory=dict)  # key -> languages
    # Already booked (appointments outside the plan): ("room", i) / ("staff", i) /
    # ("interp", key), day, slot.
    taken: frozenset[tuple[tuple[str, int | str], int, int]] = frozenset()

    @property
    def desks(self) -> int:
        """Interviews that can run at once."""
        return min(self.rooms, self.interviewers) if self.interviewers else self.rooms


@dataclass(frozen=True)
class Placement:
    key: str
    day: int
    slot: int
    length: int
    room: int
    interviewer: int | None  # None when the grid has no interviewers
    interpreter: str | None


@dataclass
class Plan:
    placements: list[Placement]
    unplaced: dict[str, str]  # case key -> why (a rule code)
    method: str
    seconds: float
    optimal: bool = False
    needs: dict[str, Need] = field(default_factory=dict)
    grid: Grid | None = None

    def figures(self) -> dict:
        """Urgency-weighted fill (weight placed / weight asked), slots used of the grid,
        cases placed by priority and the mean day (0-based) of each priority."""
        assert self.grid is not None
        total = sum(n.weight for n in self.needs.values()) or 1
        placed = [self.needs[p.key] for p in self.placements]
        by_priority: dict[str, list[int]] = {}
        for p in self.placements:
            by_priority.setdefault(self.needs[p.key].priority or "normal", []).append(p.day)
        asked: dict[str, int] = {}
        for n in self.needs.values():
            asked[n.priority or "normal"] = asked.get(n.priority or "normal", 0) + 1
        capacity = self.grid.days * self.grid.slots * self.grid.rooms
        return {
            "method": self.method,
            "cases": len(self.needs),
            "placed": len(placed),
            "weighted_fill": round(sum(n.weight for n in placed) / total, 4),
            "slots_used": sum(p.length for p in self.placements),
            "slots": capacity,
            "by_priority": {
                k: {
                    "asked": asked[k],
                    "placed": len(by_priority.get(k, [])),
                    "mean_day": round(sum(by_priority[k]) / len(by_priority[k]), 2)
                    if by_priority.get(k)
                    else None,
                }
                for k in sorted(asked, key=lambda k: -WEIGHT.get(k, 1))
            },
            "seconds": round(self.seconds, 3),
            "optimal": self.optimal,
        }


class Board:
    """What is taken, slot by slot: rooms, interviewers, interpreters."""

    def __init__(self, grid: Grid):
        self.grid = grid
        self.room = np.zeros((grid.days, grid.rooms, grid.slots), bool)
        self.staff = np.zeros((grid.days, max(grid.interviewers, 1), grid.slots), bool)
        self.names = sorted(grid.interpreters, key=lambda k: (len(grid.interpreters[k]), k))
        self.interp = np.zeros((grid.days, len(self.names), grid.slots), bool)
        for (kind, which), day, slot in grid.taken:
            if not (0 <= day < grid.days and 0 <= slot < grid.slots):
                continue
            if kind == "room" and isinstance(which, int) and which < grid.rooms:
                self.room[day, which, slot] = True
            elif kind == "staff" and isinstance(which, int) and which < grid.interviewers:
                self.staff[day, which, slot] = True
            elif kind == "interp" and which in grid.interpreters:
                self.interp[day, self.names.index(str(which)), slot] = True

    def desks_free(self, day: int, slot: int) -> int:
        """Interviews that can still start a slot at (day, slot)."""
        rooms = int((~self.room[day, :, slot]).sum())
        if not self.grid.interviewers:
            return rooms
        return min(rooms, int((~self.staff[day, :, slot]).sum()))

    def interpreters_free(self, day: int, slot: int) -> set[str]:
        return {n for i, n in enumerate(self.names) if not self.interp[day, i, slot]}

    def eligible(self, need: Need) -> list[int]:
        return [
            i for i, name in enumerate(self.names) if need.languages <= self.grid.interpreters[name]
        ]

    def place(self, need: Need, day: int, slot: int) -> Placement | None:
        """Take a room, an interviewer and (if needed) an interpreter for `need` from
        `slot` on `day`, if all are free; None otherwise (nothing taken)."""
        span = slice(slot, slot + need.length)
        if slot + need.length > self.grid.slots:
            return None
        rooms = np.flatnonzero(~self.room[day, :, span].any(axis=1))
        if not len(rooms):
            return None
        staff = None
        if self.grid.interviewers:
            free = np.flatnonzero(~self.staff[day, :, span].any(axis=1))
            if not len(free):
                return None
            staff = int(free[0])
        interpreter = None
        if need.languages:
            free_i = [i for i in self.eligible(need) if not self.interp[day, i, span].any()]
            if not free_i:
                return None
            interpreter = free_i[0]
            self.interp[day, interpreter, span] = True
        self.room[day, rooms[0], span] = True
        if staff is not None:
            self.staff[day, staff, span] = True
        return Placement(
            key=need.key,
            day=day,
            slot=slot,
            length=need.length,
            room=int(rooms[0]),
            interviewer=staff,
            interpreter=self.names[interpreter] if interpreter is not None else None,
        )

    def earliest(self, need: Need) -> Placement | None:
        for day in range(self.grid.days):
            placed = self.earliest_on(need, day)
            if placed is not None:
                return placed
        return None

    def earliest_on(self, need: Need, day: int) -> Placement | None:
        for slot in range(self.grid.slots - need.length + 1):
            placed = self.place(need, day, slot)
            if placed is not None:
                return placed
        return None

    def snapshot(self) -> tuple:
        return self.room.copy(), self.staff.copy(), self.interp.copy()

    def restore(self, saved: tuple) -> None:
        self.room, self.staff, self.interp = (a.copy() for a in saved)


def _groups(keys: set[str], links) -> dict[str, tuple[str, ...]]:
    """The linked groups (connected components of `links` among `keys`), by member."""
    parent = {k: k for k in keys}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, b in links:
        if a in keys and b in keys and a != b:
            parent[find(a)] = find(b)
    members: dict[str, list[str]] = {}
    for k in keys:
        members.setdefault(find(k), []).append(k)
    return {k: tuple(sorted(members[find(k)])) for k in keys}


def _fill(
    board: Board,
    ordered: list[Need],
    groups: dict[str, tuple[str, ...]],
    day_of: dict[str, int],
) -> tuple[list[Placement], set[str]]:
    """The greedy fill in the order given: each case (with the unplaced cases linked to
    it) at the earliest places of one day, the day its placed linked cases have if any.
    Returns the placements and the keys that found no place."""
    by_key = {n.key: n for n in ordered}
    placements: list[Placement] = []
    failed: set[str] = set()
    done = set(day_of)
    for n in ordered:
        if n.key in done:
            continue
        group = [by_key[k] for k in groups.get(n.key, (n.key,)) if k in by_key and k not in done]
        group.sort(key=lambda g: (-g.length, -g.weight, g.order, g.key))
        fixed = sorted({day_of[k] for k in groups.get(n.key, ()) if k in day_of})
        got: list[Placement] = []
        for day in fixed[:1] if fixed else range(board.grid.days):
            saved = board.snapshot()
            got = []
            for g in group:
                placed = board.earliest_on(g, day)
                if placed is None:
                    break
                got.append(placed)
            if len(got) == len(group):
                break
            board.restore(saved)
            got = []
        if got:
            placements += got
            day_of.update((p.key, p.day) for p in got)
        else:
            failed |= {g.key for g in group}
        done |= {g.key for g in group}
    return placements, failed


def _screen(needs: list[Need], grid: Grid) -> tuple[list[Need], dict[str, str]]:
    """Cases that can never be placed, with the rule: too long for a day, or a language
    no interpreter of the mission speaks."""
    board = Board(grid)
    ok, out = [], {}
    for n in needs:
        if n.length > grid.slots:
            out[n.key] = "too_long"
        elif n.languages and not board.eligible(n):
            out[n.key] = "no_interpreter_language"
        else:
            ok.append(n)
    return ok, out


def first_come(needs: list[Need], grid: Grid) -> Plan:
    """The baseline: in arrival order, each case at the earliest place where a room, an
    interviewer and an interpreter are free; a case that fits nowhere is left out."""
    began = time.perf_counter()
    ok, unplaced = _screen(needs, grid)
    board = Board(grid)
    placements = []
    for n in sorted(ok, key=lambda n: (n.order, n.key)):
        placed = board.earliest(n)
        if placed is None:
            unplaced[n.key] = "full"
        else:
            placements.append(placed)
    return Plan(
        placements,
        unplaced,
        "first_come",
        time.perf_counter() - began,
        needs={n.key: n for n in needs},
        grid=grid,
    )


def _hall_sets(groups: list[frozenset[str]]) -> list[tuple[int, ...]]:
    n = len(groups)
    if n <= MAX_HALL_GROUPS:
        return [c for r in range(1, n + 1) for c in itertools.combinations(range(n), r)]
    return [(i,) for i in range(n)] + [tuple(range(n))]


def plan(
    needs: list[Need],
    grid: Grid,
    *,
    time_limit: float = 7.0,
    gap: float = 0.001,
    links: frozenset[tuple[str, str]] | set[tuple[str, str]] = frozenset(),
) -> Plan:
    """The MIP plan (see the module's docstring); the greedy fill completes it. `links`:
    pairs of case keys to interview on the same day."""
    import highspy

    from onward.matching.engine.highs import new_highs

    began = time.perf_counter()
    ok, unplaced = _screen(needs, grid)
    board = Board(grid)
    D, S = grid.days, grid.slots
    keys = {n.key for n in ok}
    pairs = sorted(
        {tuple(sorted(p)) for p in links if p[0] in keys and p[1] in keys and p[0] != p[1]}
    )
    linked = _groups(keys, pairs)
    pairs_of: dict[int, list[tuple[int, float]]] = {}
    index_of = {n.key: c for c, n in enumerate(ok)}
    for p, (a, b) in enumerate(pairs):
        pairs_of.setdefault(index_of[a], []).append((p, 1.0))
        pairs_of.setdefault(index_of[b], []).append((p, -1.0))
    # Columns: (case, day, first slot).
    cols: list[tuple[int, int, int]] = [
        (c, d, s) for c, n in enumerate(ok) for d in range(D) for s in range(S - n.length + 1)
    ]
    optimal = False
    chosen: list[tuple[int, int, int]] = []
    if cols:
        horizon = D * S
        total_weight = sum(n.weight for n in ok)
        eps = 0.5 / max(total_weight, 1)  # all tie-breaks together < one normal case
        cost = np.array(
            [ok[c].weight * (1 - eps * (d * S + s) / horizon) for c, d, s in cols], float
        )
        groups = sorted({n.languages for n in ok if n.languages}, key=sorted)
        group_of = {g: i for i, g in enumerate(groups)}
        hall = _hall_sets(groups)
        serves = [
            {
                name
                for name, langs in grid.interpreters.items()
                if any(groups[i] <= langs for i in q)
            }
            for q in hall
        ]
        desk_cap, hall_cap = [], []
        for d in range(D):
            for t in range(S):
                desk_cap.append(board.desks_free(d, t))
                free = board.interpreters_free(d, t)
                hall_cap += [len(serve & free) for serve in serves]
        # Rows: cases, then (day, slot) desks, then (day, slot, hall set) interpreters.
        n_cases = len(ok)
        desk_row = n_cases
        hall_row = desk_row + D * S
        n_hall = len(hall)
        sets_of_group = [[h for h, q in enumerate(hall) if g in q] for g in range(len(groups))]
        # Then (pair, day, direction) links: x[a on d] - x[b on d] <= 0 and the reverse.
        link_row = hall_row + D * S * n_hall
        starts, index, values = [0], [], []
        for c, d, s in cols:
            n = ok[c]
            rows = [c] + [desk_row + d * S + t for t in range(s, s + n.length)]
            if n.languages:
                g = group_of[n.languages]
                for t in range(s, s + n.length):
                    rows += [hall_row + (d * S + t) * n_hall + h for h in sets_of_group[g]]
            index += rows
            values += [1.0] * len(rows)
            for p, sign in pairs_of.get(c, ()):
                index += [link_row + (p * D + d) * 2, link_row + (p * D + d) * 2 + 1]
                values += [sign, -sign]
            starts.append(len(index))
        n_rows = link_row + len(pairs) * D * 2
        upper = np.concatenate(
            (
                np.ones(n_cases),
                np.array(desk_cap, float),
                np.array(hall_cap, float),
                np.zeros(len(pairs) * D * 2),
            )
        )
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = len(cols), n_rows
        lp.col_cost_ = cost
        lp.col_lower_, lp.col_upper_ = np.zeros(len(cols)), np.ones(len(cols))
        lp.row_lower_, lp.row_upper_ = np.full(n_rows, -highspy.kHighsInf), upper
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.array(starts, np.int32)
        lp.a_matrix_.index_ = np.array(index, np.int32)
        lp.a_matrix_.value_ = np.array(values, float)
        lp.integrality_ = [highspy.HighsVarType.kInteger] * len(cols)
        h = new_highs()  # silent, one thread, its banner kept off stdout
        h.setOptionValue("time_limit", max(time_limit, 0.1))
        h.setOptionValue("mip_rel_gap", gap)
        h.passModel(lp)
        # A MIP start: the greedy fill, most urgent first (HiGHS begins from a good plan).
        col_of = {col: k for k, col in enumerate(cols)}
        warm = Board(grid)  # (with what is already taken)
        start = np.zeros(len(cols))
        urgent_first = sorted(ok, key=lambda n: (-n.weight, n.order, n.key))
        for placed in _fill(warm, urgent_first, linked, {})[0]:
            start[col_of[(index_of[placed.key], placed.day, placed.slot)]] = 1.0
        h.setSolution(len(cols), np.arange(len(cols), dtype=np.int32), start)
        h.run()
        optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        x = np.asarray(h.getSolution().col_value)
        if len(x) == len(cols):
            chosen = [cols[k] for k in np.flatnonzero(x > 0.5)]
    placements: list[Placement] = []
    day_of: dict[str, int] = {}
    for c, d, s in sorted(chosen, key=lambda t: (t[1], t[2], -ok[t[0]].length, ok[t[0]].key)):
        placed = board.place(ok[c], d, s)
        if placed is not None:
            placements.append(placed)
            day_of[placed.key] = d
    # Whatever the MIP left out (or could not be given an interpreter): greedy fill,
    # most urgent first, a linked case on its placed partners' day.
    rest = sorted((n for n in ok if n.key not in day_of), key=lambda n: (-n.weight, n.order, n.key))
    more, failed = _fill(board, rest, linked, day_of)
    placements += more
    for key in failed:
        unplaced[key] = "full"
    return Plan(
        placements,
        unplaced,
        "highs_mip",
        time.perf_counter() - began,
        optimal=optimal,
        needs={n.key: n for n in needs},
        grid=grid,
    )
