"""Nothing is deleted: removing a person or a case is a recorded, reversible status, and
the population changes only through the ledger."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from onward.accounts import policy, roles
from onward.audit.models import AuditEntry
from onward.conftest import principal_data
from onward.movements.ledger import ledger_sum_on, population_on, registry_present_on
from onward.movements.models import LedgerEntry
from onward.registry import selectors, services
from onward.registry.models import Case, Person

pytestmark = pytest.mark.django_db

ARRIVED = dt.date(2024, 3, 1)
BEFORE, AFTER = ARRIVED - dt.timedelta(days=1), ARRIVED + dt.timedelta(days=10)
REASON = "registered in error: test record"


@pytest.fixture
def admin(users):
    return users[roles.ADMIN]


@pytest.fixture
def household(clerk):
    """A case that arrived on ARRIVED: a principal, a spouse and a child."""
    case = services.case_create(actor=clerk, principal=principal_data(), arrival_date=ARRIVED)
    for name, rel, sex in (("Fatemeh", "spouse", "F"), ("Ali", "child", "M")):
        services.person_add(
            actor=clerk,
            case=case,
            person=principal_data(
                given_name=name,
                family_name="Karimi",
                relationship=rel,
                sex=sex,
                document_number="",
                specific_needs=[],
            ),
        )
    return case


def _member(case, relationship) -> Person:
    return case.members.get(relationship=relationship)


def _figures(*days) -> list[int]:
    return [population_on(d) for d in days]


def _consistent(*days) -> None:
    """The ledger's invariant: the rollups, the ledger and the registry agree."""
    for day in days:
        assert population_on(day) == ledger_sum_on(day) == registry_present_on(day)


def test_a_removed_person_leaves_lists_and_search_but_stays_readable(household, admin, clerk):
    spouse = _member(household, "spouse")
    services.person_remove(
        actor=admin, person=spouse, expected_version=spouse.version, reason=REASON
    )
    listed = selectors.person_list(user=clerk)
    assert spouse.person_id not in {p.person_id for p in listed}
    assert not selectors.person_list(user=clerk, q="Fatemeh").exists()
    assert selectors.person_list(user=clerk, q="Ali").exists()
    assert household.case_id in {c.case_id for c in selectors.case_list(user=clerk)}
    # Their own page still opens, with who removed them, when and why.
    found = policy.get_person_for_user(clerk, spouse.person_id)
    assert found.removed_at and found.removed_by == admin and found.removed_reason == REASON
    detail = selectors.case_detail(user=clerk, case=household)
    assert spouse.person_id not in {m.person_id for m in detail["members"]}
    assert [m.person_id for m in detail["removed_members"]] == [spouse.person_id]


def test_removal_corrects_the_ledger_from_the_arrival_not_before(household, admin):
    today = dt.date.today()
    before = _figures(BEFORE, ARRIVED, AFTER, today)
    assert before == [0, 3, 3, 3]
    child = _member(household, "child")
    arrival = LedgerEntry.objects.get(person=child, kind="arrival")
    services.person_remove(actor=admin, person=child, expected_version=child.version, reason=REASON)
    assert _figures(BEFORE, ARRIVED, AFTER, today) == [0, 2, 2, 2]
    correction = LedgerEntry.objects.get(reverses=arrival)
    assert (correction.kind, correction.delta, correction.date) == ("correction", -1, ARRIVED)
    assert REASON in correction.note and correction.recorded_by == admin
    _consistent(BEFORE, ARRIVED, AFTER, today)

    child.refresh_from_db()
    services.person_restore(
        actor=admin, person=child, expected_version=child.version, reason="found: was not an error"
    )
    assert _figures(BEFORE, ARRIVED, AFTER, today) == before
    back = LedgerEntry.objects.get(reverses=correction)
    assert (back.kind, back.delta, back.date) == ("correction", +1, ARRIVED)
    assert LedgerEntry.objects.filter(person=child).count() == 3  # nothing rewritten
    _consistent(BEFORE, ARRIVED, AFTER, today)
    assert selectors.person_list(user=admin, q="Ali").exists()


def test_a_person_can_be_removed_and_restored_again(household, admin):
    child = _member(household, "child")
    for _ in range(2):
        child = services.person_remove(
            actor=admin, person=child, expected_version=child.version, reason=REASON
        )
        assert population_on(AFTER) == 2
        child = services.person_restore(actor=admin, person=child, expected_version=child.version)
        assert population_on(AFTER) == 3
    _consistent(ARRIVED, AFTER)


def test_removal_and_restore_are_audited_with_the_reason(household, admin):
    child = _member(household, "child")
    child = services.person_remove(
        actor=admin, person=child, expected_version=child.version, reason=REASON
    )
    services.person_restore(
        actor=admin, person=child, expected_version=child.version, reason="a mistake"
    )
    entries = list(
        AuditEntry.objects.filter(object_id=child.person_id, action="update")
        .order_by("id")
        .values_list("actor_name", "changes", "detail")
    )
    assert entries == [
        ("t_admin", {"removed": ["", REASON]}, f"removed: {REASON}"),
        ("t_admin", {"removed": [REASON, ""]}, "restored: a mistake"),
    ]


def _unchanged(person: Person, ledger_count: int, audit_count: int) -> None:
    person.refresh_from_db()
    assert person.removed_at is None and person.version == 1
    assert LedgerEntry.objects.count() == ledger_count
    assert AuditEntry.objects.count() == audit_count


@pytest.mark.parametrize("reason", ["", "   ", "x" * 256])
def test_a_removal_without_a_fit_reason_is_refused_and_changes_nothing(household, admin, reason):
    child = _member(household, "child")
    counts = LedgerEntry.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.person_remove(actor=admin, person=child, expected_version=1, reason=reason)
    assert "reason" in refused.value.message_dict
    _unchanged(child, *counts)


def test_a_stale_removal_is_refused_and_changes_nothing(household, admin, clerk):
    child = _member(household, "child")
    opened = child.version
    services.person_update(
        actor=clerk, person=child, expected_version=opened, changes={"phone": "+964 770 000 0000"}
    )
    counts = LedgerEntry.objects.count(), AuditEntry.objects.count()
    with pytest.raises(services.StaleEdit, match="changed by someone else"):
        services.person_remove(actor=admin, person=child, expected_version=opened, reason=REASON)
    child.refresh_from_db()
    assert child.removed_at is None
    assert (LedgerEntry.objects.count(), AuditEntry.objects.count()) == counts


def test_a_stale_restore_is_refused(household, admin):
    child = _member(household, "child")
    services.person_remove(actor=admin, person=child, expected_version=1, reason=REASON)
    with pytest.raises(services.StaleEdit):
        services.person_restore(actor=admin, person=child, expected_version=1)
    child.refresh_from_db()
    assert child.removed_at is not None


@pytest.mark.parametrize(
    "role", [roles.CLERK, roles.PROTECTION, roles.RESETTLEMENT, roles.AUDITOR, roles.DELEGATION]
)
def test_only_administrators_and_data_managers_remove(household, users, role):
    child = _member(household, "child")
    with pytest.raises(PermissionDenied):
        services.person_remove(actor=users[role], person=child, expected_version=1, reason=REASON)
    with pytest.raises(PermissionDenied):
        services.case_remove(actor=users[role], case=household, expected_version=1, reason=REASON)


def test_the_data_manager_removes(household, users):
    child = _member(household, "child")
    services.person_remove(
        actor=users[roles.DATA_MANAGER], person=child, expected_version=1, reason=REASON
    )
    assert Person.objects.get(pk=child.pk).removed_at is not None


def test_a_principal_applicant_is_removed_only_with_the_case(household, admin):
    principal = _member(household, "principal")
    with pytest.raises(ValidationError, match="remove the whole case"):
        services.person_remove(actor=admin, person=principal, expected_version=1, reason=REASON)


def test_a_departed_person_is_not_removed(household, admin):
    from onward.movements.services import departure_record

    child = _member(household, "child")
    departure_record(actor=admin, person=child, kind="left_own_accord", on=AFTER)
    child.refresh_from_db()
    with pytest.raises(ValidationError, match="correct that departure first"):
        services.person_remove(
            actor=admin, person=child, expected_version=child.version, reason=REASON
        )


def test_a_removed_person_is_not_edited_nor_departed(household, admin, clerk):
    from onward.movements.services import departure_record

    child = _member(household, "child")
    child = services.person_remove(actor=admin, person=child, expected_version=1, reason=REASON)
    with pytest.raises(ValidationError, match="restore it first"):
        services.person_update(
            actor=clerk,
            person=child,
            expected_version=child.version,
            changes={"given_name": "Alireza"},
        )
    with pytest.raises(ValidationError, match="restore it first"):
        departure_record(actor=admin, person=child, kind="left_own_accord", on=AFTER)


def test_case_removal_takes_its_members_and_restore_brings_back_the_same(household, admin, clerk):
    child = _member(household, "child")
    services.person_remove(actor=admin, person=child, expected_version=1, reason="twin entry")
    assert population_on(AFTER) == 2
    case = services.case_remove(actor=admin, case=household, expected_version=1, reason=REASON)
    assert population_on(AFTER) == 0 and population_on(BEFORE) == 0
    assert household.case_id not in {c.case_id for c in selectors.case_list(user=clerk)}
    assert not selectors.person_list(user=clerk).exists()
    assert policy.get_case_for_user(clerk, household.case_id).removed_reason == REASON
    _consistent(ARRIVED, AFTER)
    with pytest.raises(ValidationError, match="restore the case"):
        spouse = _member(household, "spouse")
        services.person_restore(actor=admin, person=spouse, expected_version=spouse.version)

    services.case_restore(actor=admin, case=case, expected_version=case.version)
    # The members removed with the case are back; the one removed before stays removed.
    assert population_on(AFTER) == 2
    assert set(selectors.person_list(user=clerk).values_list("relationship", flat=True)) == {
        "principal",
        "spouse",
    }
    assert Person.objects.get(pk=child.pk).removed_reason == "twin entry"
    _consistent(ARRIVED, AFTER)


def test_a_removed_case_is_not_edited_nor_added_to(household, admin, clerk):
    case = services.case_remove(actor=admin, case=household, expected_version=1, reason=REASON)
    with pytest.raises(ValidationError, match="removed"):
        services.person_add(
            actor=clerk, case=case, person=principal_data(given_name="Sara", relationship="child")
        )
    with pytest.raises(ValidationError, match="removed"):
        services.case_update(
            actor=clerk, case=case, expected_version=case.version, status=Case.Status.CLOSED
        )


def test_a_stale_case_removal_is_refused(household, admin):
    with pytest.raises(services.StaleEdit):
        services.case_remove(actor=admin, case=household, expected_version=7, reason=REASON)
    assert not Person.objects.filter(removed_at__isnull=False).exists()


# -- the other apps leave removed persons and cases out --------------------------------------


def test_dedup_and_the_relocation_profile_leave_removed_persons_out(household, admin):
    from onward.dedup.records import registry_records
    from onward.relocation.usage import cases_profile

    child = _member(household, "child")
    services.person_remove(actor=admin, person=child, expected_version=1, reason=REASON)
    _records, pks = registry_records()
    assert child.person_id not in pks and len(pks) == 2
    assert cases_profile([household.pk])[household.pk].usage["persons"] == 2


def test_a_removed_case_is_not_taken_into_the_relocation_workflow(household, admin, users):
    from onward.relocation import services as relocation

    services.case_remove(actor=admin, case=household, expected_version=1, reason=REASON)
    with pytest.raises(ValidationError, match="removed from the registry"):
        relocation.case_identify(actor=users[roles.RESETTLEMENT], case=household)


def test_a_case_with_an_open_submission_is_not_removed(users, admin):
    from onward.relocation.models import State
    from onward.relocation.tests.factories import bring_to, make_case, pledge

    case = bring_to(users, make_case(users, size=2), State.SUBMITTED, pledge_=pledge(users))
    with pytest.raises(ValidationError, match="open submission"):
        services.case_remove(actor=admin, case=case, expected_version=case.version, reason=REASON)
    member = case.members.get(relationship="child")
    with pytest.raises(ValidationError, match="withdraw it first"):
        services.person_remove(
            actor=admin, person=member, expected_version=member.version, reason=REASON
        )


def test_a_withdrawal_is_recorded_and_reversed_by_resubmitting(users):
    """Withdrawing a submission keeps it (decision, who, when, why, and a history row);
    the workflow's way back is `resubmit`, to the same pledge too."""
    from onward.relocation import services as relocation
    from onward.relocation.models import CaseTransition, State, Submission
    from onward.relocation.tests.factories import at, bring_to, make_case, pledge

    albania = pledge(users)
    case = bring_to(users, make_case(users), State.WITHDRAWN, pledge_=albania)
    withdrawn = Submission.objects.get(case=case)
    assert (withdrawn.decision, withdrawn.reason) == ("withdrawn", "family declined")
    assert withdrawn.decided_by == users[roles.RESETTLEMENT]
    relocation.case_resubmit(actor=users[roles.RESETTLEMENT], case=case, pledge=albania, at=at(10))
    case.relocation.refresh_from_db()
    assert case.relocation.state == State.SUBMITTED
    assert list(
        Submission.objects.filter(case=case).order_by("id").values_list("decision", flat=True)
    ) == ["withdrawn", ""]
    assert list(CaseTransition.objects.filter(case=case).values_list("action", flat=True)) == [
        "identify",
        "assess",
        "submit",
        "withdraw",
        "resubmit",
    ]


# -- the pages ---------------------------------------------------------------------------


def test_the_detail_page_shows_who_removed_when_and_why_and_offers_restore(household, client_for):
    child = _member(household, "child")
    admin_client = client_for(roles.ADMIN)
    response = admin_client.post(
        reverse("person_remove", args=[child.person_id]), {"version": 1, "reason": REASON}
    )
    assert response.status_code == 302
    page = admin_client.get(reverse("person_detail", args=[child.person_id])).content.decode()
    assert "Removed on" in page and "by t_admin" in page and REASON in page
    assert reverse("person_restore", args=[child.person_id]) in page
    listing = admin_client.get(reverse("person_list")).content.decode()
    assert child.person_id not in listing
    clerk_page = (
        client_for(roles.CLERK)
        .get(reverse("person_detail", args=[child.person_id]))
        .content.decode()
    )
    assert REASON in clerk_page
    assert reverse("person_restore", args=[child.person_id]) not in clerk_page

    admin_client = client_for(roles.ADMIN)
    admin_client.post(reverse("person_restore", args=[child.person_id]), {"version": 2})
    assert child.person_id in admin_client.get(reverse("person_list")).content.decode()


def test_a_refused_removal_says_why_on_the_page(household, client_for):
    principal = _member(household, "principal")
    client = client_for(roles.DATA_MANAGER)
    response = client.post(
        reverse("person_remove", args=[principal.person_id]),
        {"version": 1, "reason": REASON},
        follow=True,
    )
    assert "remove the whole case" in response.content.decode()
    assert Person.objects.get(pk=principal.pk).removed_at is None


def test_the_case_page_removes_and_restores_the_case(household, client_for):
    client = client_for(roles.ADMIN)
    page = client.get(reverse("case_detail", args=[household.case_id])).content.decode()
    assert reverse("case_remove", args=[household.case_id]) in page
    client.post(reverse("case_remove", args=[household.case_id]), {"version": 1, "reason": REASON})
    page = client.get(reverse("case_detail", args=[household.case_id])).content.decode()
    assert "Removed on" in page and reverse("case_restore", args=[household.case_id]) in page
    assert population_on(AFTER) == 0
    client.post(reverse("case_restore", args=[household.case_id]), {"version": 2})
    assert population_on(AFTER) == 3


# -- the database itself ----------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL refuses DELETE (SQLite's test flush needs it)",
)
@pytest.mark.parametrize("table", ["registry_person", "registry_case", "relocation_submission"])
def test_postgresql_refuses_a_raw_delete(users, table):
    from onward.relocation.models import State, Submission
    from onward.relocation.tests.factories import bring_to, make_case, pledge

    case = bring_to(users, make_case(users), State.SUBMITTED, pledge_=pledge(users))
    pk = {
        "registry_person": case.members.first().pk,
        "registry_case": case.pk,
        "relocation_submission": Submission.objects.get(case=case).pk,
    }[table]
    with (
        pytest.raises(DatabaseError, match="never deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Whatever points at the row, the trigger speaks first.
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])
    assert Person.objects.filter(case=case).count() == 2
    assert Submission.objects.filter(case=case).exists()


def test_an_import_does_not_touch_a_removed_person_or_case(tmp_path, users, admin):
    from onward.registry.importing import import_file
    from onward.registry.tests.test_import import GOOD, errors_of, write_csv

    dm = users[roles.DATA_MANAGER]
    import_file(write_csv(tmp_path, GOOD), actor=dm)
    spouse = Person.objects.get(person_id="P900002")
    services.person_remove(
        actor=admin, person=spouse, expected_version=spouse.version, reason=REASON
    )
    other = Case.objects.get(case_id="C900002")
    services.case_remove(actor=admin, case=other, expected_version=other.version, reason=REASON)
    changed = [[*GOOD[0][:10], "+964 770 999 9999", "SM"], GOOD[1], GOOD[2]]
    result = import_file(write_csv(tmp_path, changed, name="again.csv"), actor=dm)
    assert not result.applied
    assert errors_of(result) == [
        (3, "person_id", "Person P900002 is removed from the registry: restore them first."),
        (4, "case_id", "Case C900002 is removed from the registry: restore it first."),
    ]
    assert Person.objects.get(person_id="P900001").phone == "+964 770 100 0001"
