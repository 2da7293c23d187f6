"""Relocation pages. Thin: parse the request, call selectors and services, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onward.accounts import policy
from onward.registry.services import StaleEdit
from onward.relocation import guards, review, selectors, services, workflow
from onward.relocation.forms import DecisionForm, PledgeForm, TransitionForm
from onward.relocation.models import (
    Category,
    ExitCheck,
    Pledge,
    Priority,
    Recommendation,
    State,
    Submission,
)
from onward.relocation.workflow import StaleState
from onward.web.access import case_or_404, permission_required, record_or_404


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


@require_safe
@permission_required("relocation.view")
def pledge_list(request):
    return render(
        request,
        "relocation/pledge_list.html",
        {
            "rows": selectors.pledge_list(user=request.user),
            "can_manage": policy.can(request.user, "relocation.manage_pledges"),
            "can_bulk": policy.can(request.user, "relocation.process"),
            "can_review": policy.can(request.user, "relocation.review"),
            "is_delegation": selectors.is_delegation(request.user),
            "funnel": selectors.funnel(country=request.user.country or None)
            if selectors.is_delegation(request.user)
            else selectors.funnel(),
        },
    )


@require_safe
@permission_required("relocation.view")
def pledge_detail(request, pledge_id):
    pledge = record_or_404(request, selectors.get_pledge_for_user, "pledge", pledge_id)
    detail = selectors.pledge_detail(user=request.user, pledge=pledge)
    # A busy pledge has thousands of steps: the newest first, a page at a time.
    history = Paginator(detail.pop("history")[::-1], 50).get_page(request.GET.get("page"))
    return render(
        request,
        "relocation/pledge_detail.html",
        {
            **detail,
            "history": history,
            "page": history,
            "query": "",
            "can_manage": policy.can(request.user, "relocation.manage_pledges"),
        },
    )


def _pledge_form(request, pledge: Pledge | None):
    initial = PledgeForm.initial_for(pledge) if pledge else {"status": Pledge.Status.OPEN}
    form = PledgeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if pledge is None:
                pledge = services.pledge_create(actor=request.user, data=form.data_for_service())
            else:
                pledge = services.pledge_update(
                    actor=request.user,
                    pledge=pledge,
                    expected_version=form.cleaned_data["version"] or 0,
                    changes=form.data_for_service(),
                    note="edited",
                )
        except StaleEdit as exc:
            messages.error(request, str(exc))
            return redirect("pledge_edit", pledge_id=pledge.pk)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Saved pledge %(pledge)s.") % {"pledge": pledge})
            return redirect("pledge_detail", pledge_id=pledge.pk)
    return render(
        request,
        "relocation/pledge_form.html",
        {
            "form": form,
            "pledge": pledge,
            "title": _("Edit pledge %(pledge)s") % {"pledge": pledge}
            if pledge
            else _("New pledge"),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("relocation.manage_pledges")
def pledge_create(request):
    return _pledge_form(request, None)


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("relocation.manage_pledges")
def pledge_edit(request, pledge_id):
    return _pledge_form(
        request, record_or_404(request, selectors.get_pledge_for_user, "pledge", pledge_id)
    )


@require_safe
@permission_required("registry.view")
def relocation_case_list(request):
    state = request.GET.get("state", "").strip()
    q = request.GET.get("q", "").strip()
    page = Paginator(
        selectors.relocation_case_list(user=request.user, state=state, q=q), 50
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "relocation/case_list.html",
        {"page": page, "state": state, "q": q, "states": State.choices, "query": query.urlencode()},
    )


@require_safe
@permission_required("relocation.view")
def relocation_case(request, case_id):
    case = case_or_404(request, case_id)
    detail = selectors.relocation_case_detail(user=request.user, case=case)
    template = "relocation/case_shared.html" if "shared" in detail else "relocation/case.html"
    return render(
        request,
        template,
        {
            **detail,
            "categories": Category.choices,
            "priorities": Priority.choices,
            "can_manage": policy.can(request.user, "relocation.manage_pledges"),
            "exit_kinds": ExitCheck.Kind.choices,
            "decision_form": DecisionForm(),
            "states": dict(State.choices),
            "action_labels": {k: a.label for k, a in workflow.ACTIONS.items()},
            **_review_context(request, case),
        },
    )


def _review_context(request, case) -> dict:
    latest = review.latest_review(case)
    return {
        "latest_review": latest,
        # Linked cases (family unity, dependency) are flagged where the case is submitted
        # and reviewed: "linked to case X, not submitted together".
        "linked": guards.case_linked(case),
        "recommendations": Recommendation.choices,
        "can_recommend": policy.can(request.user, "relocation.process"),
        "can_approve": bool(
            latest
            and not latest.is_approved
            and latest.recommended_by_id != request.user.pk
            and policy.can(request.user, "relocation.review")
        ),
    }


_REVIEW_FIELDS = {
    "recommendation": gettext_lazy("Recommendation"),
    "comments": gettext_lazy("Comments"),
    "primary_category": gettext_lazy("Primary category"),
    "secondary_category": gettext_lazy("Secondary category"),
    "approved_by": gettext_lazy("Approval"),
    "review": gettext_lazy("Recommendation"),
}


def _field_messages(exc: ValidationError) -> str:
    """Each error prefixed with the field it is about, so the user knows what to fix."""
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    return " ".join(
        f"{_REVIEW_FIELDS.get(field, field)}: {m}"
        for field, msgs in exc.message_dict.items()
        for m in msgs
    )


@require_POST
@permission_required("relocation.process")
def recommendation_record(request, case_id):
    case = case_or_404(request, case_id)
    post = request.POST
    try:
        review.recommendation_record(
            actor=request.user,
            case=case,
            recommendation=post.get("recommendation", ""),
            comments=post.get("comments", ""),
            primary_category=post.get("primary_category", ""),
            secondary_category=post.get("secondary_category", ""),
        )
    except ValidationError as exc:
        messages.error(
            request, _("Recommendation not recorded. %(why)s") % {"why": _field_messages(exc)}
        )
    else:
        messages.success(request, _("%(case)s: recommendation recorded.") % {"case": case_id})
    if post.get("next") == "review_list":
        return redirect("review_list")
    return redirect("relocation_case", case_id=case_id)


@require_POST
@permission_required("relocation.process")
def no_show_dismiss(request, case_id):
    """Dismiss a case's no-show proposal with a reason (the case was reached, say)."""
    case = case_or_404(request, case_id)
    try:
        review.no_show_dismiss(actor=request.user, case=case, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(
            request, _("Proposal not dismissed. %(why)s") % {"why": _field_messages(exc)}
        )
    else:
        messages.success(request, _("%(case)s: no-show proposal dismissed.") % {"case": case_id})
    return redirect("review_list")


@require_POST
@permission_required("relocation.review")
def recommendation_approve(request, case_id):
    case = case_or_404(request, case_id)
    latest = review.latest_review(case)
    if latest is None:
        messages.error(request, _("Recommendation: this case has none to approve."))
        return redirect("relocation_case", case_id=case_id)
    try:
        review.recommendation_approve(actor=request.user, review=latest)
    except ValidationError as exc:
        messages.error(request, _("Not approved. %(why)s") % {"why": _field_messages(exc)})
    else:
        messages.success(request, _("%(case)s: recommendation approved.") % {"case": case_id})
    target = request.POST.get("next", "")
    if target == "review_list":
        return redirect("review_list")
    return redirect("relocation_case", case_id=case_id)


@require_safe
@permission_required("relocation.review")
def review_list(request):
    """Recommendations waiting for a second user's approval: each case's latest, oldest
    first (they have waited longest)."""
    waiting = review.waiting_reviews().select_related("case", "recommended_by")
    page = Paginator(waiting, 50).get_page(request.GET.get("page"))
    linked = guards.linked_cases(r.case_id for r in page)
    for r in page:
        r.linked = [link for link in linked.get(r.case_id, []) if not link["together"]]
    return render(
        request,
        "relocation/review_list.html",
        {
            "page": page,
            "query": "",
            # Proposed "not recommended" after missed interviews, for an officer to confirm.
            "no_shows": review.no_show_proposals(),
            "no_show_limit": review.no_show_limit(),
            "no_show_text": review.NO_SHOW,
            "can_recommend": policy.can(request.user, "relocation.process"),
        },
    )


@require_POST
@permission_required("relocation.view")
def relocation_case_action(request, case_id):
    case = case_or_404(request, case_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The action could not be read; try again."))
        return redirect("relocation_case", case_id=case_id)
    data = form.cleaned_data
    params = {
        k: data[k]
        for k in (
            "reason",
            "category",
            "priority",
            "kind",
            "note",
            "question",
            "answer",
            "separately",
            "on",
        )
        if data[k]
    }
    if data["pledge"]:
        params["pledge"] = record_or_404(
            request, selectors.get_pledge_for_user, "pledge", data["pledge"]
        )
    label = (
        _(workflow.ACTIONS[data["action"]].label)
        if data["action"] in workflow.ACTIONS
        else data["action"]
    )
    try:
        services.case_transition(
            actor=request.user,
            case=case,
            action=data["action"],
            expected_version=data["version"],
            **params,
        )
    except StaleState as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(
            request, _("%(action)s: refused. %(why)s") % {"action": label, "why": _messages(exc)}
        )
    else:
        messages.success(
            request,
            _("%(case)s: %(action)s — done.") % {"case": case.case_id, "action": label.lower()},
        )
        if data["action"] in ("submit", "resubmit"):
            for link in guards.case_linked(case):
                if not link["together"]:
                    messages.warning(request, _linked_warning(link))
    return redirect("relocation_case", case_id=case_id)


def _linked_warning(link: dict) -> str:
    return _("Linked to case %(case)s (%(kind)s), not submitted together.") % {
        "case": link["case_id"],
        "kind": link["kind"],
    }


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("relocation.process")
def relocation_bulk_submit(request):
    report, selected = None, set(request.POST.getlist("cases"))
    pledge_id = request.POST.get("pledge") or request.GET.get("pledge") or ""
    if request.method == "POST":
        try:
            pledge = (
                record_or_404(request, selectors.get_pledge_for_user, "pledge", pledge_id)
                if pledge_id
                else None
            )
            if pledge is None:
                raise ValidationError({"pledge": _("Choose a pledge.")})
            cases = selectors.cases_by_id(user=request.user, case_ids=selected)
            steps = services.cases_submit_bulk(actor=request.user, cases=cases, pledge=pledge)
        except ValidationError as exc:
            report = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            messages.error(
                request,
                ngettext(
                    "Nothing was submitted: %(n)s problem, listed below.",
                    "Nothing was submitted: %(n)s problem(s), listed below.",
                    len(report),
                )
                % {"n": len(report)},
            )
        else:
            messages.success(
                request,
                ngettext(
                    "Submitted %(n)s case to %(pledge)s.",
                    "Submitted %(n)s cases to %(pledge)s.",
                    len(steps),
                )
                % {"n": len(steps), "pledge": pledge},
            )
            return redirect("pledge_detail", pledge_id=pledge.pk)
    pledges = list(selectors.open_pledges())
    return render(
        request,
        "relocation/bulk_submit.html",
        {
            "cases": selectors.assessed_cases(user=request.user)[:500],
            "pledges": pledges,
            "report": report,
            "selected": selected,
            "pledge_id": str(pledge_id),
            "no_pledge_why": "" if pledges else selectors.empty_pledge_choice(),
            "can_manage": policy.can(request.user, "relocation.manage_pledges"),
        },
    )


@require_safe
@permission_required("relocation.decide")
def delegation_home(request):
    """A delegation's landing page: its country's pledges, and the cases waiting for its
    decision (oldest first: they have waited longest), a page at a time."""
    waiting = selectors.submission_list(user=request.user, decision="").order_by(
        "submitted_at", "id"
    )
    return render(
        request,
        "relocation/delegation_home.html",
        {
            "rows": selectors.pledge_list(user=request.user),
            "page": Paginator(waiting, SUBMISSIONS_PAGE).get_page(request.GET.get("page")),
            "query": "",
            "counts": selectors.submission_counts(user=request.user),
        },
    )


SUBMISSIONS_PAGE = 50  # a delegation's list runs to hundreds: a page fits a phone


@require_safe
@permission_required("relocation.view")
def submission_list(request):
    decision = request.GET.get("decision")
    if decision not in (None, "", "accepted", "rejected", "withdrawn", "pending"):
        decision = None
    pledge = None
    if request.GET.get("pledge"):
        pledge = record_or_404(
            request, selectors.get_pledge_for_user, "pledge", request.GET["pledge"]
        )
    subs = selectors.submission_list(
        user=request.user, pledge=pledge, decision="" if decision == "pending" else decision or None
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "relocation/submission_list.html",
        {
            "page": Paginator(subs, SUBMISSIONS_PAGE).get_page(request.GET.get("page")),
            "query": query.urlencode(),
            "counts": selectors.submission_counts(user=request.user, pledge=pledge),
            "decision": decision or "",
            "pledge": pledge,
            "can_decide": policy.can(request.user, "relocation.decide"),
            "decisions": Submission.Decision.choices,
            "form": DecisionForm(),
        },
    )


@require_POST
@permission_required("relocation.decide")
def submission_decide(request, submission_id):
    sub = record_or_404(request, selectors.get_submission_for_user, "submission", submission_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("Date: give a date as YYYY-MM-DD.")
            if "on" in form.errors
            else _("Choose a decision: accept, reject, defer or request information."),
        )
    else:
        data = form.cleaned_data
        try:
            services.submission_decide(
                actor=request.user,
                submission=sub,
                decision=data["decision"],
                reason=data["reason"],
                members=request.POST.getlist("members") if data["members_given"] else None,
                question=data["question"],
                on=data["on"],
                expected_version=data["version"],
            )
        except StaleState as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(
                request,
                _("%(case)s: refused. %(why)s") % {"case": sub.case.case_id, "why": _messages(exc)},
            )
        else:
            label = dict(form.fields["decision"].choices)[data["decision"]]
            messages.success(
                request,
                _("%(case)s: %(action)s — done.")
                % {"case": sub.case.case_id, "action": label.lower()},
            )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "submission_list"
    return redirect(target or "submission_list")
