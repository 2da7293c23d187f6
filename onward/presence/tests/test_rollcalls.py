"""Roll calls: the expected residents fixed at opening, lines marked, progress by block,
the registry's own figure for an incident, and deaths in the ledger exactly once."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from onward.accounts import roles
from onward.incidents.services import victim_link
from onward.movements.models import LedgerEntry
from onward.presence import selectors, services
from onward.presence.models import LastSeen, RollCall, RollCallLine
from onward.presence.tests.factories import camp_with, incident
from onward.registry.models import Person

pytestmark = pytest.mark.django_db
DAY = dt.date(2013, 12, 27)


@pytest.fixture
def world(users):
    blocks, housed = camp_with(users, blocks=("A", "B", "C"), per_block=2)
    return blocks, housed, incident(users)


def _open(users, blocks, inc=None, on=DAY):
    return services.rollcall_open(
        actor=users[roles.PROTECTION],
        blocks=blocks,
        reason="incident" if inc else "verification",
        on=on,
        incident=inc,
    )


def test_a_roll_call_expects_the_residents_of_its_blocks_on_its_day(users, world):
    blocks, housed, inc = world
    roll = _open(users, [blocks["A"], blocks["B"]], inc)
    expected = set(roll.lines.values_list("person_id", flat=True))
    assert expected == {p.pk for p in housed["A"] + housed["B"]}
    # before anyone was housed, nobody is expected
    early = _open(users, [blocks["A"]], on=dt.date(2013, 5, 1))
    assert early.lines.count() == 0


def test_a_line_for_someone_not_expected_is_refused_and_nothing_written(users, world):
    blocks, housed, inc = world
    roll = _open(users, [blocks["A"]], inc)
    outsider = housed["C"][0]
    with pytest.raises(ValidationError, match="is not expected at roll call"):
        services.rollcall_mark(
            actor=users[roles.PROTECTION], roll_call=roll, person=outsider, status="present"
        )
    assert not RollCallLine.objects.filter(person=outsider).exists()
    assert not LastSeen.objects.exists()


def test_progress_by_block_and_closing_leaves_the_unmarked_unknown(users, world):
    blocks, housed, inc = world
    officer = users[roles.PROTECTION]
    roll = _open(users, [blocks["A"], blocks["B"]], inc)
    services.rollcall_mark(actor=officer, roll_call=roll, person=housed["A"][0], status="present")
    services.rollcall_mark(actor=officer, roll_call=roll, person=housed["A"][1], status="absent")
    services.rollcall_mark(actor=officer, roll_call=roll, person=housed["B"][0], status="missing")
    rows = {r["block"].code: r for r in selectors.progress(roll)}
    assert (rows["A"]["marked"], rows["A"]["expected"], rows["A"]["percent"]) == (2, 2, 100)
    assert (rows["B"]["marked"], rows["B"]["by_status"]["missing"]) == (1, 1)
    # present is a head-count sighting
    assert LastSeen.objects.get(person=housed["A"][0])
    assert services.rollcall_close(actor=officer, roll_call=roll) == 1
    assert RollCallLine.objects.get(roll_call=roll, person=housed["B"][1]).status == "unknown"
    with pytest.raises(ValidationError, match="is closed"):
        services.rollcall_mark(
            actor=officer, roll_call=roll, person=housed["B"][1], status="present"
        )


def test_the_incidents_figure_confirmed_by_the_registry(client, users, world):
    blocks, housed, inc = world
    officer = users[roles.PROTECTION]
    services.incident_blocks_name(actor=officer, incident=inc, blocks=[blocks["A"], blocks["B"]])
    roll = _open(users, [blocks["A"], blocks["B"]], inc)
    for person, status in zip(
        housed["A"] + housed["B"], ["killed", "injured", "missing", "present"], strict=True
    ):
        services.rollcall_mark(actor=officer, roll_call=roll, person=person, status=status)
    figure = selectors.incident_registry_figure(inc)
    assert figure["counts"] == {"killed": 1, "injured": 1, "missing": 1}
    assert figure["persons"]["killed"] == [housed["A"][0]]
    # the victims are linked through the incidents app; the death is in the ledger
    assert sorted(inc.victims.values_list("outcome", flat=True)) == ["injured", "killed"]
    killed = Person.objects.get(pk=housed["A"][0].pk)
    assert killed.departure_type == "deceased" and killed.departure_date == dt.date(2013, 12, 26)
    client.force_login(users[roles.AUDITOR])
    html = client.get(reverse("incident_detail", args=[inc.pk])).content.decode()
    assert "confirmed by the registry" in html
    assert 'id="registry-injured">1<' in html and 'id="registry-missing">1<' in html


PATHS = ("roll call A", "roll call B", "victim link", "second victim link")


@pytest.mark.parametrize("order", list(itertools.permutations(PATHS)))
def test_a_death_enters_the_ledger_exactly_once_whatever_the_paths_and_their_order(
    users, world, order
):
    """Every order of the four ways one death can be reported: two roll calls after the
    incident marking the person killed, and two hand-made victim links."""
    blocks, housed, inc = world
    officer = users[roles.PROTECTION]
    person = housed["A"][0]
    rolls = {"roll call A": _open(users, [blocks["A"]], inc)}
    rolls["roll call B"] = _open(users, [blocks["A"], blocks["B"]], inc)
    for path in order:
        if path in rolls:
            services.rollcall_mark(
                actor=officer, roll_call=rolls[path], person=person, status="killed"
            )
        else:
            victim_link(actor=officer, incident=inc, person=person, outcome="killed")
    deaths = LedgerEntry.objects.filter(person=person, kind="deceased")
    assert (
        deaths.count() == 1
        and sum(LedgerEntry.objects.filter(person=person).values_list("delta", flat=True)) == 0
    )
    assert inc.victims.filter(person=person).count() == 1
    assert selectors.incident_registry_figure(inc)["counts"]["killed"] == 1


def test_a_death_at_a_verification_roll_call_enters_the_ledger_once(users, world):
    blocks, housed, _ = world
    officer = users[roles.PROTECTION]
    person = housed["C"][0]
    first = _open(users, [blocks["C"]])
    services.rollcall_mark(actor=officer, roll_call=first, person=person, status="killed")
    with pytest.raises(ValidationError, match="recorded as killed"):
        services.rollcall_mark(actor=officer, roll_call=first, person=person, status="present")
    assert LedgerEntry.objects.filter(person=person, kind="deceased").get().date == DAY
    # the death ended the allocation: a later roll call no longer expects them
    later = _open(users, [blocks["C"]], on=timezone.localdate())
    assert not later.lines.filter(person=person).exists()


def test_a_clerk_may_not_run_a_roll_call(users, world):
    blocks, *_ = world
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.rollcall_open(
            actor=users[roles.CLERK], blocks=[blocks["A"]], reason="verification", on=DAY
        )


def test_opening_needs_blocks_and_an_incident_for_an_incident_reason(users, world):
    with pytest.raises(ValidationError) as err:
        services.rollcall_open(actor=users[roles.PROTECTION], blocks=[], reason="incident", on=DAY)
    assert set(err.value.message_dict) == {"blocks", "incident"}


def test_a_whole_site_roll_call_and_a_sheet_only_for_its_blocks(client, users, world):
    from onward.audit.models import AuditEntry
    from onward.camp.models import Site

    blocks, housed, _ = world
    client.force_login(users[roles.PROTECTION])
    done = client.post(
        reverse("rollcall_open"),
        {"reason": "verification", "site": Site.objects.get().pk, "on": "2013-12-27"},
    )
    assert done.status_code == 302
    roll = RollCall.objects.get()
    assert roll.lines.count() == 6 and roll.blocks.count() == 3
    sheet = client.get(reverse("rollcall_sheet", args=[roll.pk, blocks["B"].pk]))
    assert all(p.person_id in sheet.content.decode() for p in housed["B"])
    small = _open(users, [blocks["A"]])
    outside = client.get(reverse("rollcall_sheet", args=[small.pk, blocks["B"].pk]))
    assert outside.status_code == 404
    assert AuditEntry.objects.filter(action="denied", object_type="block").exists()


def test_who_departed_on_the_roll_calls_day_is_on_its_sheet_not_the_next_days(users, world):
    """A departure on d ends the allocation on d, but the roll call that morning is how
    the night's departures are found: the 18 who left in one night are on it, absent."""
    from onward.movements.services import departure_record

    blocks, housed, _ = world
    gone = housed["A"][0]
    departure_record(actor=users[roles.DATA_MANAGER], person=gone, kind="left_own_accord", on=DAY)
    roll = _open(users, [blocks["A"]])
    assert set(roll.lines.values_list("person_id", flat=True)) == {p.pk for p in housed["A"]}
    gone.refresh_from_db()
    services.rollcall_mark(
        actor=users[roles.PROTECTION], roll_call=roll, person=gone, status="absent"
    )
    assert roll.lines.get(person=gone).status == "absent"
    later = _open(users, [blocks["A"]], on=DAY + dt.timedelta(days=1))
    assert gone.pk not in set(later.lines.values_list("person_id", flat=True))
