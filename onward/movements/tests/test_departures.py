import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.movements import services
from onward.movements.ledger import (
    ledger_sum_on,
    population,
    population_on,
    registry_present_on,
)
from onward.movements.models import LedgerEntry
from onward.movements.reconcile import reconcile
from onward.movements.rollup import ledger_breakdown_naive, rollup_check
from onward.movements.tests.factories import D0, family
from onward.registry import services as registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(users):
    return users[roles.PROTECTION]


def test_a_departure_ends_the_stay_in_the_registry_and_the_ledger_together(clerk, officer):
    _, man, _ = family(clerk)
    day = dt.date(2013, 3, 1)
    services.departure_record(
        actor=officer,
        person=man,
        kind="left_own_accord",
        on=day,
        note="left with a group towards the north",
    )
    man.refresh_from_db()
    assert (man.departure_date, man.departure_type) == (day, "left_own_accord")
    assert population_on(day - dt.timedelta(days=1)) == 2 and population_on(day) == 1
    for d in (D0, day - dt.timedelta(days=1), day, dt.date.today()):
        assert population_on(d) == registry_present_on(d) == ledger_sum_on(d)
    assert AuditEntry.objects.filter(object_id=man.person_id, action="update").exists()


def test_it_refuses_a_second_departure_a_future_date_and_a_date_before_arrival(clerk, officer):
    _, man, wife = family(clerk)
    with pytest.raises(ValidationError) as err:
        services.departure_record(
            actor=officer, person=man, kind="deceased", on=dt.date.today() + dt.timedelta(days=2)
        )
    assert "on" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.departure_record(
            actor=officer, person=man, kind="deceased", on=D0 - dt.timedelta(days=1)
        )
    assert "on" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.departure_record(actor=officer, person=man, kind="relocated", on=D0)
    assert "kind" in err.value.message_dict
    services.departure_record(actor=officer, person=wife, kind="repatriated", on=D0)
    with pytest.raises(ValidationError) as err:
        services.departure_record(actor=officer, person=wife, kind="deceased", on=D0)
    assert "person" in err.value.message_dict
    assert LedgerEntry.objects.filter(delta=-1).count() == 1


def test_it_refuses_a_departure_by_a_role_that_may_not_record_one(clerk):
    _, man, _ = family(clerk)
    with pytest.raises(PermissionDenied):
        services.departure_record(actor=clerk, person=man, kind="deceased", on=D0)


def test_a_correction_reverses_the_wrong_entry_and_keeps_it(clerk, officer):
    _, man, _ = family(clerk)
    wrong = services.departure_record(
        actor=officer, person=man, kind="whereabouts_unknown", on=dt.date(2013, 2, 1)
    )
    fix = services.departure_correct(actor=officer, person=man, reason="found in block C")
    man.refresh_from_db()
    assert man.departure_date is None and man.departure_type == ""
    assert fix.reverses == wrong and fix.delta == +1 and fix.date == wrong.date
    assert fix.kind == "correction"
    assert population_on(dt.date(2013, 2, 1)) == 2 == registry_present_on(dt.date(2013, 2, 1))
    assert LedgerEntry.objects.filter(person=man).count() == 3
    # A later true departure is recorded as usual.
    services.departure_record(
        actor=officer, person=man, kind="left_own_accord", on=dt.date(2013, 4, 1)
    )
    assert reconcile().ok


def test_it_refuses_a_correction_without_a_reason_or_a_departure(clerk, officer):
    _, man, _ = family(clerk)
    with pytest.raises(ValidationError) as err:
        services.departure_correct(actor=officer, person=man, reason="")
    assert {"reason", "person"} <= set(err.value.message_dict)


def test_a_death_reported_twice_is_recorded_once(clerk, officer):
    _, man, _ = family(clerk)
    first = services.death_record_once(actor=officer, person=man, on=dt.date(2013, 12, 26))
    again = services.death_record_once(actor=officer, person=man, on=dt.date(2013, 12, 27))
    assert first == again
    assert LedgerEntry.objects.filter(person=man, kind="deceased").count() == 1


def test_a_birth_adds_the_child_to_the_mothers_case_from_the_birth_date(clerk, officer):
    case, _, wife = family(clerk)
    born = dt.date(2013, 5, 20)
    child = services.birth_record(
        actor=officer,
        mother=wife,
        on=born,
        child={"given_name": "Leila", "sex": "F", "family_name": "Rezaei"},
    )
    assert child.case == case and child.relationship == "child"
    assert child.arrival_date == born and child.birth_date == born
    assert LedgerEntry.objects.get(person=child).kind == "birth"
    assert population_on(born - dt.timedelta(days=1)) == 2 and population_on(born) == 3
    assert population(on=born)["by_age_band"]["0-4"] == 1


def test_it_refuses_a_birth_to_a_man_or_to_a_mother_not_present(clerk, officer):
    _, man, wife = family(clerk)
    with pytest.raises(ValidationError) as err:
        services.birth_record(actor=officer, mother=man, on=D0, child={"given_name": "A"})
    assert "mother" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.birth_record(
            actor=officer, mother=wife, on=D0 - dt.timedelta(days=3), child={"given_name": "A"}
        )
    assert "on" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.birth_record(actor=officer, mother=wife, on=D0, child={"given_name": ""})
    assert "given_name" in err.value.message_dict


def test_population_breaks_down_by_sex_age_band_need_and_nationality(clerk, officer):
    family(clerk, mother_needs=["WR", "SM"])  # the principal has SM too (principal_data)
    family(
        clerk,
        arrival=dt.date(2013, 2, 1),
        given_name="Ali",
        nationality="IRQ",
        document_number="Y7654321",
    )
    p = population(on=D0)
    assert p["total"] == 2
    assert p["by_sex"]["M"] == 1 and p["by_sex"]["F"] == 1
    assert p["by_age_band"]["18-59"] == 2  # born 1970 and 1980: 43 and 33 in 2013
    assert p["by_need"]["SM"] == 2 and p["by_need"]["WR"] == 1 and p["by_need"]["none"] == 0
    assert p["by_nationality"] == {"IRN": 2}  # the Iraqi arrives later
    assert p == ledger_breakdown_naive(D0)
    later = population(on=dt.date(2013, 2, 1))
    assert later["by_nationality"] == {"IRN": 3, "IRQ": 1}  # his wife is Iranian
    assert later == ledger_breakdown_naive(dt.date(2013, 2, 1))


def test_the_nationality_breakdown_at_a_past_date_leaves_out_those_departed_by_then(clerk, officer):
    _, man, _ = family(clerk, nationality="AFG")
    services.departure_record(
        actor=officer, person=man, kind="left_own_accord", on=dt.date(2013, 2, 9)
    )
    assert population(on=dt.date(2013, 2, 8))["by_nationality"] == {"AFG": 1, "IRN": 1}
    assert population(on=dt.date(2013, 2, 9))["by_nationality"] == {"IRN": 1}
    services.departure_correct(actor=officer, person=man, reason="recorded in error")
    assert population(on=dt.date(2013, 2, 9))["by_nationality"] == {"AFG": 1, "IRN": 1}
    assert population(on=dt.date(2013, 2, 9)) == ledger_breakdown_naive(dt.date(2013, 2, 9))


def test_the_breakdown_follows_an_edit_of_the_person(clerk, officer):
    _, man, wife = family(clerk)
    registry.person_update(
        actor=clerk,
        person=man,
        expected_version=man.version,
        changes={"birth_date": "1950", "specific_needs": ["ER"], "sex": "X", "nationality": "SYR"},
    )
    registry.person_update(
        actor=clerk, person=wife, expected_version=wife.version, changes={"nationality": ""}
    )
    p = population(on=D0)
    assert p["by_age_band"]["60-200"] == 1 and p["by_need"]["ER"] == 1
    assert p["by_need"]["SM"] == 0 and p["by_sex"]["X"] == 1
    # Current values, at every date: the figures of the past follow the edit too.
    assert p["by_nationality"] == {"SYR": 1, "unknown": 1}
    assert p == ledger_breakdown_naive(D0)
    assert rollup_check() == []


def test_reconcile_exits_zero_when_all_agree_and_non_zero_when_the_registry_is_tampered(
    clerk, officer
):
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db import connection

    _, man, _ = family(clerk)
    services.departure_record(actor=officer, person=man, kind="deceased", on=dt.date(2013, 2, 9))
    call_command("reconcile")  # no CommandError: exit status 0
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_person SET departure_date = %s WHERE id = %s",
            [dt.date(2013, 2, 20), man.pk],
        )
    with pytest.raises(CommandError):
        call_command("reconcile")
    bad = [d for d, *_ in reconcile().disagreements]
    assert dt.date(2013, 2, 9) in bad and dt.date(2013, 2, 20) not in bad


def test_reconcile_finds_a_nationality_changed_behind_the_rollups_and_a_rebuild_repairs_it(
    clerk, officer
):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from onward.movements.rollup import rollup_rebuild
    from onward.registry.models import Person

    _, man, _ = family(clerk)
    call_command("reconcile")
    Person.objects.filter(pk=man.pk).update(nationality="IRQ")  # no save(): no rollup sync
    with pytest.raises(CommandError, match="rollup rows disagree"):
        call_command("reconcile")
    problems = reconcile().rollup_problems
    assert any("nationality=IRQ" in line for line in problems)
    assert any("nationality=IRN" in line for line in problems)
    rollup_rebuild()
    call_command("reconcile")
    assert population(on=D0)["by_nationality"] == {"IRN": 1, "IRQ": 1}


def test_rebuilding_the_rollups_gives_the_same_figures(clerk, officer):
    from onward.movements.rollup import (
        ledger_monthly_series_naive,
        rollup_monthly_series,
        rollup_rebuild,
        rollup_rebuild_sql,
    )

    _, man, wife = family(clerk, mother_needs=["WR"])
    services.departure_record(actor=officer, person=man, kind="deceased", on=dt.date(2013, 2, 9))
    services.birth_record(
        actor=officer, mother=wife, on=dt.date(2013, 3, 3), child={"given_name": "Sara", "sex": "F"}
    )
    before = [population(on=d) for d in (D0, dt.date(2013, 2, 9), dt.date(2013, 3, 31))]
    for rebuild in (rollup_rebuild, rollup_rebuild_sql):
        rebuild()
        assert rollup_check() == []
        assert [population(on=d) for d in (D0, dt.date(2013, 2, 9), dt.date(2013, 3, 31))] == before
    series = rollup_monthly_series(dt.date(2012, 12, 1), dt.date(2013, 4, 1))
    assert [r["population"] for r in series] == [0, 2, 1, 2, 2]
    assert series == ledger_monthly_series_naive(dt.date(2012, 12, 1), dt.date(2013, 4, 1))
