import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from onward.accounts import roles
from onward.movements import services
from onward.movements.ledger import population_on, registry_present_on
from onward.movements.models import LedgerEntry, Transfer
from onward.movements.reconcile import reconcile
from onward.movements.tests.factories import TRANSFER_DAY, ready_case
from onward.registry.models import Case, Person
from onward.relocation.models import State
from onward.relocation.selectors import pledge_figures
from onward.relocation.tests.factories import bring_to, make_case, pledge

pytestmark = pytest.mark.django_db
DAY = TRANSFER_DAY


@pytest.fixture
def rs(users):
    return users[roles.RESETTLEMENT]


@pytest.fixture
def albania(users):
    return pledge(users)


@pytest.fixture
def ready(users, albania):
    return [ready_case(users, albania, size=n) for n in (3, 2, 1)]


def _plan(rs, albania, cases, seats=10):
    transfer = services.transfer_plan(actor=rs, pledge=albania, date=DAY, seats=seats)
    lines = [services.transfer_case_add(actor=rs, transfer=transfer, case=c) for c in cases]
    return transfer, lines


def _state():
    return (
        LedgerEntry.objects.count(),
        list(Person.objects.values_list("departure_date")),
        list(Case.objects.values_list("status", "version")),
        list(Transfer.objects.values_list("status", "version")),
    )


def test_confirming_departs_everyone_closes_the_cases_and_counts_for_the_pledge(rs, albania, ready):
    transfer, lines = _plan(rs, albania, ready)
    services.transfer_case_remove(
        actor=rs, transfer=transfer, line=lines[2], reason="no-show: in hospital"
    )
    before = population_on(DAY)
    services.transfer_confirm(actor=rs, transfer=transfer)
    transfer.refresh_from_db()
    assert transfer.status == "confirmed"
    assert population_on(DAY) == before - 5 == registry_present_on(DAY)
    assert LedgerEntry.objects.filter(kind="relocated").count() == 5
    for case in ready[:2]:
        case.refresh_from_db()
        assert case.status == "closed" and case.relocation.state == State.DEPARTED
        assert all(p.departure_type == "relocated" for p in case.members.all())
    no_show = ready[2]
    no_show.refresh_from_db()
    assert no_show.status == "open" and no_show.relocation.state == State.READY
    assert pledge_figures(albania)["persons"]["departed"] == 5
    assert reconcile().ok


def test_a_failure_in_the_middle_of_confirming_leaves_nothing_changed(
    rs, albania, ready, monkeypatch
):
    transfer, _ = _plan(rs, albania, ready)
    before = _state()
    from onward.relocation import services as relocation

    calls = []
    real = relocation.case_depart

    def fail_on_second(**kwargs):
        calls.append(kwargs["case"])
        if len(calls) == 2:
            raise RuntimeError("the network dropped")
        return real(**kwargs)

    monkeypatch.setattr(relocation, "case_depart", fail_on_second)
    with pytest.raises(RuntimeError):
        services.transfer_confirm(actor=rs, transfer=transfer)
    assert len(calls) == 2  # the first case had departed within the transaction
    assert _state() == before
    assert pledge_figures(albania)["persons"]["departed"] == 0
    assert reconcile().ok


def test_it_refuses_a_case_not_ready_too_many_persons_and_a_case_twice(users, rs, albania, ready):
    transfer = services.transfer_plan(actor=rs, pledge=albania, date=DAY, seats=4)
    services.transfer_case_add(actor=rs, transfer=transfer, case=ready[0])
    with pytest.raises(ValidationError) as err:
        services.transfer_case_add(actor=rs, transfer=transfer, case=ready[1])
    assert "seats" in err.value.message_dict
    not_ready = bring_to(users, make_case(users), State.SUBMITTED, pledge_=albania)
    with pytest.raises(ValidationError) as err:
        services.transfer_case_add(actor=rs, transfer=transfer, case=not_ready)
    assert "case" in err.value.message_dict
    other = services.transfer_plan(actor=rs, pledge=albania, date=DAY, seats=9)
    with pytest.raises(ValidationError) as err:
        services.transfer_case_add(actor=rs, transfer=other, case=ready[0])
    assert "case" in err.value.message_dict


def test_a_no_show_needs_a_reason_and_stays_in_the_history(rs, albania, ready):
    transfer, lines = _plan(rs, albania, ready[:1])
    with pytest.raises(ValidationError):
        services.transfer_case_remove(actor=rs, transfer=transfer, line=lines[0], reason=" ")
    services.transfer_case_remove(actor=rs, transfer=transfer, line=lines[0], reason="no-show")
    assert transfer.lines.get().removed_reason == "no-show"
    with pytest.raises(ValidationError):
        services.transfer_confirm(actor=rs, transfer=transfer)  # the manifest is empty


def test_a_wrong_transfer_departure_is_corrected_by_reversing_entries(rs, albania, ready):
    transfer, lines = _plan(rs, albania, ready[:1])
    services.transfer_confirm(actor=rs, transfer=transfer)
    services.transfer_line_correct(
        actor=rs, transfer=transfer, line=lines[0], reason="stayed behind at the airport"
    )
    case = ready[0]
    case.refresh_from_db()
    assert case.status == "open" and case.relocation.state == State.READY
    assert LedgerEntry.objects.filter(kind="correction").count() == 3
    assert all(p.departure_date is None for p in case.members.all())
    assert pledge_figures(albania)["persons"]["departed"] == 0
    assert reconcile().ok


def test_only_transfer_managers_plan_transfers(users, albania):
    with pytest.raises(PermissionDenied):
        services.transfer_plan(actor=users[roles.PROTECTION], pledge=albania, date=DAY, seats=3)


def test_the_api_answers_a_state_refusal_409_and_bad_input_400(client_for, rs, albania):
    transfer = services.transfer_plan(actor=rs, pledge=albania, date=DAY, seats=9)
    client = client_for(roles.ADMIN)
    empty = client.post(
        f"/api/transfers/{transfer.pk}/confirm/", {}, content_type="application/json"
    )
    assert empty.status_code == 409  # well formed; the empty manifest is in the way
    assert empty.json()["fields"]["transfer"] == ["The manifest is empty."]
    blank = client.post(
        f"/api/transfers/{transfer.pk}/date/",
        {"date": "2013-05-02", "reason": " "},
        content_type="application/json",
    )
    assert blank.status_code == 400 and "reason" in blank.json()["fields"]
    assert Transfer.objects.get(pk=transfer.pk).status == "planned"
