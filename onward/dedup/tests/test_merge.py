"""Merges that lose nothing: the reviewer chooses per field, every value not kept stays
readable on the survivor's page, a merged-away id leads to the survivor, a decided pair
offers no decision, and an undo puts both records back."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils.timezone import localdate

from onward.accounts import roles
from onward.audit.models import AuditEntry
from onward.conftest import principal_data
from onward.dedup import selectors, services
from onward.dedup.models import DuplicatePair, Merge
from onward.dedup.tests.helpers import record_snapshot
from onward.movements.ledger import population_on, registry_present_on
from onward.registry import services as registry
from onward.registry.models import Person

pytestmark = pytest.mark.django_db

PHONE = "+964 770 555 0101"


@pytest.fixture(autouse=True)
def one_reviewer(settings):
    settings.ONWARD_DEDUP_SECOND_REVIEWER = False


@pytest.fixture
def manager(users):
    return users[roles.DATA_MANAGER]


def _register(clerk, **fields) -> Person:
    return registry.case_create(actor=clerk, principal=principal_data(**fields)).members.get()


def _pair(a: Person, b: Person) -> DuplicatePair:
    lo, hi = sorted([a, b], key=lambda p: p.pk)
    return DuplicatePair.objects.get_or_create(
        person_a=lo, person_b=hi, defaults={"probability": 0.93, "weight": 6}
    )[0]


@pytest.fixture
def twins(clerk):
    """P1553 and P1570 of the demo: the survivor has no phone, the other record has one;
    they also differ in birth date, document and needs."""
    keep = _register(
        clerk,
        phone="",
        birth_date="1970",
        document_number="X1234567",
        specific_needs=["SM"],
        needs_detail="",
    )
    dup = _register(
        clerk,
        given_name="Muhammad",
        phone=PHONE,
        birth_date="1970-05-12",
        document_number="X7654321",
        specific_needs=["DS"],
        needs_detail="Uses a wheelchair",
    )
    return keep, dup


def _merge(manager, keep, dup, **keep_fields):
    pair = _pair(keep, dup)
    return services.pair_merge(
        actor=manager, pair_id=pair.pk, survivor_person_id=keep.person_id, keep=keep_fields
    )


def test_an_empty_survivor_field_takes_the_other_records_value(manager, twins):
    keep, dup = twins
    _merge(manager, keep, dup)
    keep.refresh_from_db()
    assert keep.phone == PHONE  # the demo's lost phone
    assert keep.needs_detail == "Uses a wheelchair"
    assert sorted(keep.specific_needs.values_list("code", flat=True)) == ["DS", "SM"]
    # Both non-empty and different: the survivor's stays by default.
    assert (keep.given_name, keep.birth_date_display, keep.document_number) == (
        "Mohammad",
        "1970",
        "X1234567",
    )


def test_the_reviewer_chooses_per_field_and_the_search_keys_follow(manager, twins, client_for):
    keep, dup = twins
    _merge(
        manager,
        keep,
        dup,
        given_name=dup.person_id,
        birth_date=dup.person_id,
        specific_needs=keep.person_id,
        needs_detail=keep.person_id,
    )
    keep.refresh_from_db()
    assert (keep.given_name, keep.birth_date_display) == ("Muhammad", "1970-05-12")
    assert list(keep.specific_needs.values_list("code", flat=True)) == ["SM"]
    assert keep.needs_detail == ""
    assert "Muhammad" in client_for(roles.CLERK).get("/persons/?q=Muhammad").content.decode()


def test_every_value_not_kept_is_on_the_survivors_page_and_reading_it_is_audited(
    manager, twins, client_for
):
    keep, dup = twins
    merge = _merge(manager, keep, dup, given_name=dup.person_id, specific_needs=keep.person_id)
    page = client_for(roles.CLERK).get(reverse("person_detail", args=[keep.person_id]))
    html = page.content.decode()
    day = f"{localdate(merge.done_at):%Y-%m-%d}"
    assert f"from merged record {dup.person_id} on {day}: birth date" in html
    assert "1970-05-12" in html and "X7654321" in html  # the other's birth date, document
    assert "DS – " in html  # the need left out
    assert f"this record's own value before the merge of {day}: given name" in html
    assert AuditEntry.objects.filter(
        action="view", object_id=dup.person_id, detail=f"merge history on {keep.person_id}"
    ).exists()
    # Values, not only field names, are kept; but never in the unencrypted audit log.
    assert not AuditEntry.objects.filter(detail__contains="X7654321").exists()
    assert "X7654321" not in str(list(AuditEntry.objects.values_list("changes", flat=True)))
    merge.refresh_from_db()
    with connection.cursor() as cursor:
        cursor.execute("SELECT record_values FROM dedup_merge WHERE id = %s", [merge.pk])
        assert "X7654321" not in cursor.fetchone()[0]


def test_a_choice_that_names_neither_record_is_refused_and_changes_nothing(manager, twins):
    keep, dup = twins
    pair = _pair(keep, dup)
    with pytest.raises(ValidationError) as refused:
        services.pair_merge(
            actor=manager,
            pair_id=pair.pk,
            survivor_person_id=keep.person_id,
            keep={"phone": "P999999", "sex": "both", "shoe_size": keep.person_id},
        )
    assert set(refused.value.message_dict) == {"phone", "sex", "keep"}
    assert "P999999" in refused.value.message_dict["phone"][0]
    assert not Merge.objects.exists()
    pair.refresh_from_db()
    assert pair.status == "open"


def test_needs_details_joined_past_the_limit_are_refused_naming_the_field(manager, clerk):
    keep = _register(clerk, needs_detail="a" * 1500)
    dup = _register(clerk, given_name="Muhammad", needs_detail="b" * 1500)
    with pytest.raises(ValidationError, match="longer than 2000"):
        _merge(manager, keep, dup)  # "both" is the default for two different details
    merge = _merge(manager, keep, dup, needs_detail=keep.person_id)
    assert merge.done_at


def test_an_unreadable_value_stops_the_merge_until_its_key_is_loaded(manager, twins):
    keep, dup = twins
    with connection.cursor() as cursor:  # the document's token copied into the phone
        cursor.execute("UPDATE registry_person SET phone = document_number WHERE id = %s", [dup.pk])
    with pytest.raises(ValidationError, match="phone cannot be read"):
        _merge(manager, keep, dup)


def test_a_merged_away_id_leads_to_the_survivor_with_a_notice(manager, twins, client_for):
    keep, dup = twins
    merge = _merge(manager, keep, dup)
    client = client_for(roles.CLERK)
    response = client.get(reverse("person_detail", args=[dup.person_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("person_detail", args=[keep.person_id])
    page = client.get(response["Location"]).content.decode()
    assert (
        f"{dup.person_id} was merged into {keep.person_id} on {localdate(merge.done_at):%Y-%m-%d}."
        in page
    )
    assert AuditEntry.objects.filter(
        action="view", object_id=dup.person_id, detail__startswith="merged into"
    ).exists()


def test_a_chain_of_merges_leads_to_the_last_survivor(manager, clerk, twins, client_for):
    keep, dup = twins
    third = _register(clerk, given_name="Mohamed")
    _merge(manager, keep, dup)
    _merge(manager, third, keep)
    response = client_for(roles.CLERK).get(reverse("person_detail", args=[dup.person_id]))
    assert response["Location"] == reverse("person_detail", args=[third.person_id])


def test_an_id_whose_survivor_is_out_of_scope_is_an_ordinary_404(
    manager, twins, client_for, monkeypatch
):
    keep, dup = twins
    _merge(manager, keep, dup)
    from onward.accounts import policy

    visible = policy.visible_persons
    monkeypatch.setattr(
        policy, "visible_persons", lambda user, **kw: visible(user, **kw).exclude(pk=keep.pk)
    )
    client = client_for(roles.CLERK)
    for person_id in (dup.person_id, "P999999"):
        assert client.get(reverse("person_detail", args=[person_id])).status_code == 404
        assert AuditEntry.objects.filter(action="denied", object_id=person_id).exists()
        api = client.get(f"/api/persons/{person_id}/")
        assert api.status_code == 404 and "merged_into" not in api.json()
    assert not AuditEntry.objects.filter(detail__endswith="sent on to it").exists()


def test_the_api_answers_a_merged_away_id_with_the_survivors_id(manager, twins, client_for):
    keep, dup = twins
    merge = _merge(manager, keep, dup)
    client = client_for(roles.ADMIN)
    answer = client.get(f"/api/persons/{dup.person_id}/")
    assert answer.status_code == 404
    body = answer.json()
    assert body["merged_into"] == keep.person_id
    assert body["merged_at"].startswith(f"{merge.done_at:%Y-%m-%d}")
    assert keep.person_id in body["error"]
    patch = client.patch(
        f"/api/persons/{dup.person_id}/",
        {"version": 1, "sex": "F"},
        content_type="application/json",
    )
    assert patch.status_code == 404 and patch.json()["merged_into"] == keep.person_id
    keep.refresh_from_db()
    assert keep.sex == "M"  # a write meant for the merged record lands nowhere
    unknown = client.get("/api/persons/P999999/")
    assert unknown.status_code == 404 and "merged_into" not in unknown.json()
    assert AuditEntry.objects.filter(action="denied", object_id="P999999").exists()


def test_the_schema_documents_the_answer_to_a_merged_away_id(manager, twins, client_for):
    keep, dup = twins
    _merge(manager, keep, dup)
    client = client_for(roles.ADMIN)
    schema = client.get("/api/schema/?format=json").json()
    for method in ("get", "patch"):
        answer = schema["paths"]["/api/persons/{person_id}/"][method]["responses"]["404"]
        ref = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        gone = schema["components"]["schemas"][ref]
        body = client.get(f"/api/persons/{dup.person_id}/").json()
        assert set(gone["required"]) <= set(body) <= set(gone["properties"])
        assert "merged_into" in gone["properties"]


def test_a_decided_pair_offers_no_decision_and_says_who_decided(manager, clerk, twins, client_for):
    keep, dup = twins
    pair = _pair(keep, dup)
    client = client_for(roles.DATA_MANAGER)
    page = client.get(reverse("dedup_pair", args=[pair.pk])).content.decode()
    assert (
        'name="decision"' in page and f'name="keep_phone" value="{dup.person_id}" checked' in page
    )
    services.pair_merge(actor=manager, pair_id=pair.pk, survivor_person_id=keep.person_id)
    page = client.get(reverse("dedup_pair", args=[pair.pk])).content.decode()
    assert 'name="decision"' not in page and 'name="keep_' not in page
    assert "Same person (merged)</b> · by t_datamanager" in page
    queue = client.get(reverse("dedup_queue") + "?status=merged").content.decode()
    assert "Same person (merged)</b> · by t_datamanager" in queue
    different = _pair(_register(clerk, given_name="Ali"), keep)
    services.pair_mark_different(actor=manager, pair_id=different.pk)
    page = client.get(reverse("dedup_pair", args=[different.pk])).content.decode()
    assert 'name="decision"' not in page and "Different persons</b> · by" in page


def test_a_pair_whose_record_was_merged_elsewhere_says_so_instead_of_a_form(
    manager, clerk, twins, client_for
):
    keep, dup = twins
    other = _pair(dup, _register(clerk, given_name="Mohamad"))
    _merge(manager, keep, dup)
    page = client_for(roles.DATA_MANAGER).get(reverse("dedup_pair", args=[other.pk]))
    html = page.content.decode()
    assert 'name="decision"' not in html and f"{dup.person_id} was merged into another" in html


def test_the_web_form_merges_with_the_chosen_fields(manager, twins, client_for):
    keep, dup = twins
    pair = _pair(keep, dup)
    response = client_for(roles.DATA_MANAGER).post(
        reverse("dedup_decide", args=[pair.pk]),
        {
            "decision": "same",
            "survivor": keep.person_id,
            "version": pair.version,
            "keep_document_number": dup.person_id,
            "keep_specific_needs": "both",
        },
    )
    assert response.status_code == 302
    keep.refresh_from_db()
    assert keep.document_number == "X7654321" and keep.phone == PHONE


def test_undo_restores_both_records_exactly_and_the_history_says_so(
    manager, twins, clerk, client_for
):
    keep, dup = twins
    registry.note_add(actor=clerk, case=dup.case, text="Seen at the clinic")
    before = {p.pk: record_snapshot(p.pk) for p in (keep, dup)}
    day = dup.arrival_date
    population = population_on(day)
    merge = _merge(manager, keep, dup, given_name=dup.person_id, birth_date=dup.person_id)
    assert population_on(day) == registry_present_on(day) == population - 1
    services.merge_undo(actor=manager, merge_id=merge.pk)
    assert {p.pk: record_snapshot(p.pk) for p in (keep, dup)} == before
    assert population_on(day) == registry_present_on(day) == population
    html = (
        client_for(roles.CLERK)
        .get(reverse("person_detail", args=[keep.person_id]))
        .content.decode()
    )
    assert "both records restored as they were before the merge" in html
    assert AuditEntry.objects.filter(
        object_id=keep.person_id, detail=f"merge of {dup.person_id} undone"
    ).exists()


def test_undo_keeps_an_edit_made_after_the_merge_and_says_so(manager, twins, clerk, users):
    keep, dup = twins
    merge = _merge(manager, keep, dup)
    keep.refresh_from_db()
    registry.person_update(
        actor=users[roles.ADMIN],
        person=keep,
        expected_version=keep.version,
        changes={"phone": "+964 770 999 0000"},
    )
    services.merge_undo(actor=manager, merge_id=merge.pk)
    keep.refresh_from_db()
    assert keep.phone == "+964 770 999 0000"  # the later correction stays
    assert keep.needs_detail == ""  # what the merge wrote and nobody touched goes back
    merge.refresh_from_db()
    assert merge.snapshot["undo_kept_edits"] == ["phone"]


def test_a_second_reviewer_applies_the_choices_made_by_the_first(manager, twins, users, settings):
    settings.ONWARD_DEDUP_SECOND_REVIEWER = True
    keep, dup = twins
    merge = _merge(manager, keep, dup, birth_date=dup.person_id, phone=keep.person_id)
    assert merge.done_at is None
    services.merge_approve(actor=users[roles.ADMIN], merge_id=merge.pk)
    keep.refresh_from_db()
    assert (keep.birth_date_display, keep.phone) == ("1970-05-12", "")
    history = selectors.merge_history(user=manager, person=keep)
    assert {(x["field"], x["value"]) for x in history[0]["not_kept"]} >= {("phone", PHONE)}
