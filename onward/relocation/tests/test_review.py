"""The submission review: a recommendation, and a second user's approval of it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from onward.accounts import roles
from onward.accounts.models import User
from onward.audit.models import AuditEntry
from onward.relocation import review
from onward.relocation.models import SubmissionReview
from onward.relocation.tests.factories import make_case

pytestmark = pytest.mark.django_db


def _recommend(users, case, **kwargs):
    kwargs.setdefault("recommendation", "recommend")
    kwargs.setdefault("primary_category", "LPN")
    return review.recommendation_record(actor=users[roles.RESETTLEMENT], case=case, **kwargs)


def test_a_second_user_approves_the_recommendation(users):
    case = make_case(users)
    rec = _recommend(users, case, secondary_category="WAR")
    assert not review.approved_recommendation(case)
    review.recommendation_approve(actor=users[roles.PROTECTION], review=rec)
    assert review.approved_recommendation(case)
    details = set(AuditEntry.objects.filter(object_id=case.case_id).values_list("action", "detail"))
    assert {
        ("create", "submission review: recommendation"),
        ("update", "submission review: recommendation approved"),
    } <= details


def test_the_recommender_may_not_approve_their_own(users):
    case = make_case(users)
    rec = _recommend(users, case)
    with pytest.raises(ValidationError, match="recommender may not approve"):
        review.recommendation_approve(actor=users[roles.RESETTLEMENT], review=rec)
    assert not SubmissionReview.objects.get(pk=rec.pk).is_approved


def test_a_role_without_the_reviewing_permission_may_not_approve(users):
    case = make_case(users)
    rec = _recommend(users, case)
    for role in (roles.CLERK, roles.DELEGATION, roles.AUDITOR, roles.DATA_MANAGER):
        with pytest.raises(PermissionDenied):
            review.recommendation_approve(actor=users[role], review=rec)


def test_a_negative_or_returned_recommendation_is_never_an_approval(users):
    case = make_case(users)
    rec = _recommend(users, case, recommendation="not_recommend", primary_category="")
    review.recommendation_approve(actor=users[roles.PROTECTION], review=rec)
    assert not review.approved_recommendation(case)
    other = User.objects.create_user(
        username="second-resettlement", password="pw-for-tests-123", role=roles.RESETTLEMENT
    )
    rec = _recommend(users, case, recommendation="return", comments="Add the medical report.")
    review.recommendation_approve(actor=other, review=rec)
    assert not review.approved_recommendation(case)


def test_bad_input_names_each_field_and_changes_nothing(users):
    case = make_case(users)
    with pytest.raises(ValidationError) as err:
        _recommend(users, case, recommendation="maybe", primary_category="XXX")
    assert {"recommendation", "primary_category"} <= set(err.value.message_dict)
    with pytest.raises(ValidationError) as err:
        _recommend(users, case, recommendation="return", comments=" ")
    assert "comments" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        _recommend(users, case, primary_category="WAR", secondary_category="WAR")
    assert "secondary_category" in err.value.message_dict
    assert not SubmissionReview.objects.exists()


def test_a_newer_recommendation_replaces_an_unapproved_one(users):
    case = make_case(users)
    old = _recommend(users, case, recommendation="return", comments="Missing documents.")
    _recommend(users, case)
    with pytest.raises(ValidationError, match="newer recommendation"):
        review.recommendation_approve(actor=users[roles.PROTECTION], review=old)
