import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.conftest import principal_data
from onward.dedup import selectors, services
from onward.dedup.models import DuplicatePair
from onward.dedup.tests.helpers import record_snapshot
from onward.movements.ledger import population_on, registry_present_on
from onward.registry import services as registry
from onward.registry.models import Case, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(users):
    return users[roles.DATA_MANAGER]


@pytest.fixture
def registry_population(db):
    """A few hundred synthetic residents: the engine estimates its weights from the data,
    so it needs a registry around the pair, as in real use."""
    from onward.demo.population import population_load
    from onward.demo.synthetic import generate_population

    population_load(generate_population(seed=7, persons=400))


@pytest.fixture
def twin_registrations(clerk, registry_population):
    """The same man registered twice, in two single-person cases, spelled two ways."""
    first = registry.case_create(actor=clerk, principal=principal_data(phone="+964 770 111 2222"))
    again = registry.case_create(
        actor=clerk,
        principal=principal_data(
            given_name="Muhammad",
            family_name="Rezayi",
            birth_date="1970",
            document_number="",
            phone="+964 770 111 2222",
        ),
    )
    return first.members.get(), again.members.get()


def _run(manager):
    return services.dedup_run_registry(actor=manager)


def _pair(a, b):
    lo, hi = sorted([a.pk, b.pk])
    return DuplicatePair.objects.get(person_a_id=lo, person_b_id=hi)


def test_the_run_files_a_variant_spelling_re_registration_for_review(manager, twin_registrations):
    summary = _run(manager)
    assert summary["records"] == 402 and summary["pairs_filed_for_review"] >= 1
    pair = _pair(*twin_registrations)
    assert pair.status == "open" and pair.probability >= 0.5
    assert AuditEntry.objects.filter(object_type="dedup_run").exists()


def test_a_not_a_duplicate_decision_survives_a_re_run(manager, twin_registrations):
    _run(manager)
    pair = _pair(*twin_registrations)
    services.pair_mark_different(actor=manager, pair_id=pair.pk)
    filed = DuplicatePair.objects.count()
    _run(manager)
    assert DuplicatePair.objects.count() == filed
    assert _pair(*twin_registrations).status == "different"


def test_merge_then_unmerge_restores_both_records_exactly(
    manager, users, twin_registrations, settings
):
    settings.ONWARD_DEDUP_SECOND_REVIEWER = False
    keep, dup = twin_registrations
    before = {p.pk: record_snapshot(p.pk) for p in (keep, dup)}
    _run(manager)
    pair = _pair(keep, dup)
    merge = services.pair_merge(actor=manager, pair_id=pair.pk, survivor_person_id=keep.person_id)
    dup.refresh_from_db()
    assert dup.merged_into == keep
    assert Case.objects.get(pk=dup.case_id).status == "closed"  # nobody left in it
    assert not Person.objects.filter(pk=dup.pk, merged_into__isnull=True).exists()
    today = dup.arrival_date
    assert population_on(today) == registry_present_on(today)
    present_after_merge = population_on(today)

    services.merge_undo(actor=manager, merge_id=merge.pk)
    assert {p.pk: record_snapshot(p.pk) for p in (keep, dup)} == before
    assert population_on(today) == registry_present_on(today) == present_after_merge + 1
    trail = AuditEntry.objects.filter(object_id=dup.person_id, action="update")
    assert [e.detail.split(" (")[0] for e in trail.order_by("id")] == [
        f"merged into {keep.person_id}",
        "merge undone",
    ]


def test_a_merge_across_two_cases_waits_for_a_second_reviewer(manager, users, twin_registrations):
    keep, dup = twin_registrations
    _run(manager)
    pair = _pair(keep, dup)
    merge = services.pair_merge(actor=manager, pair_id=pair.pk, survivor_person_id=keep.person_id)
    assert merge.done_at is None and _pair(keep, dup).status == "pending"
    with pytest.raises(PermissionDenied):
        services.merge_approve(actor=manager, merge_id=merge.pk)
    services.merge_approve(actor=users[roles.ADMIN], merge_id=merge.pk)
    dup.refresh_from_db()
    assert dup.merged_into == keep


def test_relocation_sees_an_unresolved_duplicate(manager, twin_registrations):
    keep, dup = twin_registrations
    assert not selectors.case_has_open_duplicates(keep.case)
    _run(manager)
    assert selectors.case_has_open_duplicates(keep.case)
    services.pair_mark_different(actor=manager, pair_id=_pair(keep, dup).pk)
    assert not selectors.case_has_open_duplicates(keep.case)


def test_a_principal_with_other_members_cannot_be_merged_away(manager, clerk, settings):
    settings.ONWARD_DEDUP_SECOND_REVIEWER = False
    family = registry.case_create(actor=clerk, principal=principal_data())
    registry.person_add(
        actor=clerk,
        case=family,
        person=principal_data(
            given_name="Zahra", sex="F", relationship="spouse", birth_date="1975"
        ),
    )
    single = registry.case_create(actor=clerk, principal=principal_data(given_name="Mohamad"))
    pa, other = family.members.get(relationship="principal"), single.members.get()
    lo, hi = sorted([pa.pk, other.pk])
    pair = DuplicatePair.objects.create(person_a_id=lo, person_b_id=hi, probability=0.9, weight=4)
    with pytest.raises(ValidationError, match="principal applicant"):
        services.pair_merge(actor=manager, pair_id=pair.pk, survivor_person_id=other.person_id)
    services.pair_merge(actor=manager, pair_id=pair.pk, survivor_person_id=pa.person_id)


def test_only_the_data_team_decides(users, twin_registrations):
    keep, dup = twin_registrations
    lo, hi = sorted([keep.pk, dup.pk])
    pair = DuplicatePair.objects.create(person_a_id=lo, person_b_id=hi, probability=0.9, weight=4)
    for role in (roles.CLERK, roles.PROTECTION, roles.AUDITOR, roles.DELEGATION):
        with pytest.raises(PermissionDenied):
            services.pair_mark_different(actor=users[role], pair_id=pair.pk)


def test_registration_shows_likely_matches_before_saving(client, clerk, twin_registrations):
    client.force_login(clerk)
    form = {
        "given_name": "Mohamed",
        "family_name": "Rezaee",
        "father_name": "Hussein",
        "sex": "M",
        "birth_date": "1970-05-12",
        "nationality": "IRN",
    }
    before = Person.objects.count()
    page = client.post("/cases/new/", form)
    assert page.status_code == 200
    assert "may already be registered" in page.content.decode()
    assert twin_registrations[0].person_id in page.content.decode()
    assert Person.objects.count() == before
    saved = client.post("/cases/new/", {**form, "confirm_new": "1"})
    assert saved.status_code == 302 and Person.objects.count() == before + 1
    assert DuplicatePair.objects.filter(source="registration").exists()


def test_an_unrelated_registration_is_saved_at_once(client, clerk, twin_registrations):
    client.force_login(clerk)
    response = client.post(
        "/cases/new/",
        {"given_name": "Shirin", "family_name": "Nazari", "sex": "F", "birth_date": "1992-11-02"},
    )
    assert response.status_code == 302


def test_a_run_stores_its_model_and_the_registration_check_uses_it(
    manager, clerk, twin_registrations
):
    from onward.dedup.models import DedupModel

    _run(manager)
    stored = DedupModel.objects.get()
    assert stored.records == 402 and stored.parameters["format"] == 1
    selectors._index.update(index=None)
    matches = selectors.likely_matches(
        user=clerk,
        person={
            "given_name": "Mohamed",
            "family_name": "Rezaee",
            "father_name": "Hussein",
            "sex": "M",
            "birth_date": "1970-05-12",
            "nationality": "IRN",
        },
    )
    assert twin_registrations[0].person_id in {m["person"].person_id for m in matches}
    assert selectors._index["model"] == stored.pk
    for _ in range(4):
        _run(manager)
    assert DedupModel.objects.count() == services.KEEP_MODELS
