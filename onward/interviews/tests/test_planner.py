"""The mission planner's engine (no database): urgency first, longer slots for larger
cases, interpreters who speak the language, nothing double-booked."""

from collections import Counter

from onward.interviews.planner import Grid, Need, first_come, plan, slot_length


def _no_double_booking(result):
    held = Counter()
    for p in result.placements:
        for t in range(p.slot, p.slot + p.length):
            held[("room", p.day, p.room, t)] += 1
            if p.interviewer is not None:
                held[("staff", p.day, p.interviewer, t)] += 1
            if p.interpreter:
                held[("interp", p.day, p.interpreter, t)] += 1
    assert max(held.values(), default=0) == 1


def test_longer_slots_for_larger_cases():
    assert [slot_length(n) for n in (1, 3, 4, 6, 7, 12)] == [1, 1, 2, 2, 3, 3]


def test_emergency_and_urgent_first_when_slots_are_short():
    # One day, two slots, one room: room for two of five small cases.
    needs = [Need(f"N{i}", 2, "normal", order=i) for i in range(3)] + [
        Need("U", 2, "urgent", order=3),
        Need("E", 2, "emergency", order=4),
    ]
    grid = Grid(days=1, slots=2, rooms=1)
    result = plan(needs, grid, time_limit=5)
    by_key = {p.key: p for p in result.placements}
    assert set(by_key) == {"E", "U"}
    assert by_key["E"].slot == 0  # the emergency case is seen first
    assert result.unplaced == {"N0": "full", "N1": "full", "N2": "full"}
    # The baseline takes them as they came.
    assert {p.key for p in first_come(needs, grid).placements} == {"N0", "N1"}
    assert result.figures()["weighted_fill"] > first_come(needs, grid).figures()["weighted_fill"]


def test_a_large_family_takes_consecutive_slots_of_one_room():
    result = plan([Need("BIG", 8, "normal")], Grid(days=1, slots=4, rooms=2))
    (p,) = result.placements
    assert p.length == 3 and p.slot + p.length <= 4


def test_interpreters_speak_the_language_and_are_never_in_two_rooms():
    interpreters = {"dari": frozenset({"prs"}), "both": frozenset({"prs", "ps"})}
    needs = [
        Need(f"C{i}", 2, "urgent" if i % 3 == 0 else "normal", frozenset({lang}), order=i)
        for i, lang in enumerate(["prs", "ps"] * 6)
    ] + [Need("TI", 1, "emergency", frozenset({"ti"}))]
    result = plan(needs, Grid(days=2, slots=3, rooms=3, interpreters=interpreters))
    _no_double_booking(result)
    for p in result.placements:
        assert result.needs[p.key].languages <= interpreters[p.interpreter]
    # Nobody speaks Tigrinya: left out with the rule, whatever its urgency.
    assert result.unplaced["TI"] == "no_interpreter_language"
    # Two interpreters: at most two interpreted interviews at once, so 12 at most
    # (2 days x 3 slots x 2), all of them here.
    assert len(result.placements) == 12


def test_fewer_interviewers_than_rooms_limit_interviews_at_once():
    needs = [Need(f"C{i}", 1, order=i) for i in range(10)]
    result = plan(needs, Grid(days=1, slots=3, rooms=3, interviewers=2))
    _no_double_booking(result)
    assert len(result.placements) == 6
    assert all(p.interviewer in (0, 1) for p in result.placements)


def test_what_is_already_booked_is_kept_off():
    # Room 0 is booked all morning, the only interpreter at slot 0.
    grid = Grid(
        days=1,
        slots=2,
        rooms=2,
        interpreters={"samira": frozenset({"prs"})},
        taken=frozenset({(("room", 0), 0, 0), (("room", 0), 0, 1), (("interp", "samira"), 0, 0)}),
    )
    needs = [Need("A", 1, "urgent", frozenset({"prs"})), Need("B", 1), Need("C", 1)]
    for result in (plan(needs, grid), first_come(needs, grid)):
        assert all(p.room == 1 for p in result.placements)
        assert len(result.placements) == 2
    placed = {p.key: p for p in plan(needs, grid).placements}
    assert placed["A"].slot == 1 and placed["A"].interpreter == "samira"


def test_linked_cases_are_interviewed_on_the_same_day():
    # Two days of two slots in one room. Most urgent first would put the urgent A on day
    # 0 beside the emergency and its linked B on day 1; linked, they share a day.
    needs = [
        Need("E", 1, "emergency", order=0),
        Need("A", 1, "urgent", order=1),
        Need("B", 1, "normal", order=2),
        Need("N", 1, "normal", order=3),
    ]
    grid = Grid(days=2, slots=2, rooms=1)
    apart = {p.key: p.day for p in plan(needs, grid).placements}
    assert apart["A"] != apart["B"]  # without the link
    together = plan(needs, grid, links={("A", "B")})
    days = {p.key: p.day for p in together.placements}
    assert set(days) == {"E", "A", "B", "N"} and days["A"] == days["B"]
    _no_double_booking(together)


def test_a_linked_group_that_fits_no_single_day_is_left_out_whole():
    # A~B~C (a chain of links) need three places on one day; each day has two.
    needs = [Need(k, 1, "urgent", order=i) for i, k in enumerate("ABC")] + [
        Need("N", 1, "normal", order=3)
    ]
    grid = Grid(days=2, slots=2, rooms=1)
    result = plan(needs, grid, links={("A", "B"), ("C", "B")})
    placed = {p.key for p in result.placements}
    assert placed.isdisjoint({"A", "B", "C"}) and "N" in placed
    assert result.unplaced == {"A": "full", "B": "full", "C": "full"}


def test_the_greedy_completion_puts_a_linked_case_on_its_partners_day():
    # The MIP is given no time: the greedy start and completion alone keep the rule.
    needs = [Need(f"N{i}", 1, "urgent", order=i) for i in range(3)] + [
        Need("A", 1, "normal", order=3),
        Need("B", 2, "normal", order=4),
    ]
    grid = Grid(days=3, slots=2, rooms=1)
    result = plan(needs, grid, links={("A", "B")}, time_limit=0.0)
    days = {p.key: p.day for p in result.placements}
    if "A" in days or "B" in days:
        assert days.get("A") == days.get("B")
    _no_double_booking(result)
