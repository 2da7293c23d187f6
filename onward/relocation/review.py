"""The submission review (issue 18): an officer recommends (or not, or returns the case with
comments) and a second user with `relocation.review` approves before the case may go to a
pledge. The recommender never approves their own recommendation.

Not yet wired into the workflow's `submit` guard: `approved_recommendation` is the check it
is meant to call (see docs/relocation.md).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from onward.accounts.policy import require
from onward.audit.services import audit_record
from onward.registry.models import Case
from onward.relocation.models import Category, Recommendation, SubmissionReview


def latest_review(case: Case) -> SubmissionReview | None:
    return SubmissionReview.objects.filter(case=case).order_by("-recommended_at", "-id").first()


def approved_recommendation(case: Case) -> bool:
    """True when the case's latest review recommends it and a second user approved it."""
    review = latest_review(case)
    return bool(review and review.recommendation == Recommendation.RECOMMEND and review.is_approved)


@transaction.atomic
def recommendation_record(
    *,
    actor,
    case: Case,
    recommendation: str,
    comments: str = "",
    primary_category: str = "",
    secondary_category: str = "",
    at=None,
) -> SubmissionReview:
    require(actor, "relocation.process")
    errors: dict[str, str] = {}
    if recommendation not in Recommendation.values:
        errors["recommendation"] = (
            f"Unknown recommendation {recommendation!r}; one of {', '.join(Recommendation.values)}."
        )
    if recommendation == Recommendation.RETURN and not comments.strip():
        errors["comments"] = "Returning a case needs comments saying what to change."
    for field, value in (
        ("primary_category", primary_category),
        ("secondary_category", secondary_category),
    ):
        if value and value not in Category.values:
            errors[field] = f"Unknown category {value!r}."
    if recommendation == Recommendation.RECOMMEND and not primary_category:
        errors["primary_category"] = "A recommended case needs a primary submission category."
    if secondary_category and secondary_category == primary_category:
        errors["secondary_category"] = "The secondary category must differ from the primary."
    if errors:
        raise ValidationError(errors)
    review = SubmissionReview.objects.create(
        case=case,
        recommendation=recommendation,
        comments=comments,
        primary_category=primary_category,
        secondary_category=secondary_category,
        recommended_by=actor,
        recommended_at=at or timezone.now(),
    )
    audit_record(
        actor=actor,
        action="create",
        object_type="case",
        detail="submission review: recommendation",
        object_id=case.case_id,
        changes={
            "recommendation": recommendation,
            "primary_category": primary_category,
            "secondary_category": secondary_category,
        },
    )
    return review


@transaction.atomic
def recommendation_approve(*, actor, review: SubmissionReview, at=None) -> SubmissionReview:
    require(actor, "relocation.review")
    locked = SubmissionReview.objects.select_for_update().get(pk=review.pk)
    if locked.recommended_by_id == actor.pk:
        raise ValidationError(
            {
                "approved_by": "The recommender may not approve their own recommendation; "
                "a second user with the reviewing permission must."
            }
        )
    if locked.is_approved:
        raise ValidationError({"approved_by": "This recommendation is already approved."})
    if latest_review(locked.case) != locked:
        raise ValidationError({"review": "A newer recommendation replaces this one."})
    locked.approved_by = actor
    locked.approved_at = at or timezone.now()
    locked.save(update_fields=["approved_by", "approved_at"])
    audit_record(
        actor=actor,
        action="update",
        object_type="case",
        detail="submission review: recommendation approved",
        object_id=locked.case.case_id,
        changes={"recommendation": locked.recommendation},
    )
    return locked
