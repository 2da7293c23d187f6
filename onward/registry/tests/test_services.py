import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.conftest import principal_data
from onward.registry import services
from onward.registry.models import Case, Person

pytestmark = pytest.mark.django_db


def test_a_new_case_has_exactly_one_principal_and_an_audit_trail(clerk):
    case = services.case_create(actor=clerk, principal=principal_data())
    members = list(case.members.all())
    assert [m.relationship for m in members] == ["principal"]
    assert case.case_id.startswith("C") and members[0].person_id.startswith("P")
    created = AuditEntry.objects.filter(action="create").exclude(object_type="user")
    assert {(e.object_type, e.object_id) for e in created} == {
        ("case", case.case_id),
        ("person", members[0].person_id),
    }
    assert created.get(object_type="person").changes["given_name"] == ["", "Mohammad"]


def test_it_refuses_a_second_principal_and_changes_nothing(case, clerk):
    before = Person.objects.count()
    with pytest.raises(ValidationError) as err:
        services.person_add(
            actor=clerk,
            case=case,
            person=principal_data(given_name="Ali", relationship="principal"),
        )
    assert "already has a principal applicant" in str(err.value.message_dict["relationship"])
    assert Person.objects.count() == before


def test_the_principal_cannot_be_demoted_leaving_the_case_without_one(case, clerk):
    pa = case.members.get(relationship="principal")
    with pytest.raises(ValidationError) as err:
        services.person_update(
            actor=clerk, person=pa, expected_version=pa.version, changes={"relationship": "spouse"}
        )
    assert "exactly one" in str(err.value)


@pytest.mark.parametrize(
    "birth_date, message",
    [
        ("2013-02-30", "is not a date that exists"),
        ("2999-01-01", "is in the future"),
        ("12/05/1970", "is not a date"),
        ("1970-13", "is not a date that exists"),
    ],
)
def test_it_refuses_impossible_birth_dates_with_a_clear_message(case, clerk, birth_date, message):
    person = case.members.first()
    with pytest.raises(ValidationError) as err:
        services.person_update(
            actor=clerk,
            person=person,
            expected_version=person.version,
            changes={"birth_date": birth_date},
        )
    assert message in err.value.message_dict["birth_date"][0]
    person.refresh_from_db()
    assert person.birth_date_display == "1970-05-12" and person.version == 1


def test_it_reports_every_bad_field_at_once(clerk):
    with pytest.raises(ValidationError) as err:
        services.case_create(
            actor=clerk,
            principal=principal_data(
                sex="Q", nationality="XXX", birth_date="2013-02-30", specific_needs=["NOPE"]
            ),
        )
    assert set(err.value.message_dict) == {"sex", "nationality", "birth_date", "specific_needs"}
    assert Case.objects.count() == 0 and Person.objects.count() == 0


def test_partial_birth_dates_keep_their_precision(case):
    spouse = case.members.get(relationship="spouse")
    assert spouse.birth_date_display == "1974" and spouse.birth_precision == "Y"


def test_a_stale_edit_is_refused_and_never_overwrites(case, clerk, users):
    person = case.members.get(relationship="principal")
    opened_by_clerk = person.version
    services.person_update(
        actor=users[roles.PROTECTION],
        person=person,
        expected_version=person.version,
        changes={"phone": "+964 770 000 0000"},
    )
    with pytest.raises(services.StaleEdit) as err:
        services.person_update(
            actor=clerk,
            person=person,
            expected_version=opened_by_clerk,
            changes={"phone": "+964 780 111 1111"},
        )
    assert "changed by someone else" in str(err.value)
    person.refresh_from_db()
    assert person.phone == "+964 770 000 0000" and person.version == 2


def test_an_edit_is_audited_with_old_and_new_values(case, clerk):
    person = case.members.get(relationship="principal")
    services.person_update(
        actor=clerk,
        person=person,
        expected_version=1,
        changes={"family_name": "Rezaie", "given_name": "Mohammad"},
    )
    entry = AuditEntry.objects.get(action="update", object_id=person.person_id)
    assert entry.changes == {"family_name": ["Rezaei", "Rezaie"]}
    assert entry.actor == clerk


def test_an_edit_that_changes_nothing_writes_nothing(case, clerk):
    person = case.members.get(relationship="principal")
    services.person_update(
        actor=clerk, person=person, expected_version=1, changes={"given_name": "Mohammad"}
    )
    person.refresh_from_db()
    assert person.version == 1
    assert not AuditEntry.objects.filter(action="update").exists()


def test_roles_without_the_right_cannot_write(case, users):
    person = case.members.first()
    for role in (roles.AUDITOR, roles.DELEGATION, roles.RESETTLEMENT):
        with pytest.raises(PermissionDenied):
            services.person_update(
                actor=users[role],
                person=person,
                expected_version=1,
                changes={"phone": "+964 700 000 0000"},
            )
        with pytest.raises(PermissionDenied):
            services.case_create(actor=users[role], principal=principal_data())
    person.refresh_from_db()
    assert person.version == 1


def test_a_closed_case_takes_no_new_member(case, clerk, users):
    services.case_update(
        actor=users[roles.DATA_MANAGER],
        case=case,
        expected_version=1,
        arrival_date=case.arrival_date,
        status="closed",
    )
    with pytest.raises(ValidationError) as err:
        services.person_add(
            actor=clerk,
            case=case,
            person=principal_data(given_name="Sara", sex="F", relationship="child"),
        )
    assert "closed" in str(err.value)


def test_ids_are_unique_and_follow_on_after_a_bulk_load(clerk):
    first = services.case_create(actor=clerk, principal=principal_data())
    second = services.case_create(actor=clerk, principal=principal_data(given_name="Ali"))
    assert first.case_id != second.case_id
    assert first.members.get().person_id != second.members.get().person_id
