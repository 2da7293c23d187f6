"""The composition page of a case and its actions. Thin: parse, call the services, show.

Every case is fetched through the policy's door (404 and a `denied` entry for a case the
user may not see, the target of a move or a link included); the actions are POST only.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from onward.accounts import policy
from onward.composition import selectors, services
from onward.composition.forms import LinkForm, MoveForm, SplitForm, UndoForm
from onward.composition.models import CaseChange, CaseLink
from onward.web.access import case_or_404, permission_required


def _page(request, case, **forms):
    detail = selectors.case_composition(case)
    members = detail["members"]
    return render(
        request,
        "composition/case_composition.html",
        {
            **detail,
            "move_form": forms.get("move") or MoveForm(members=members),
            "split_form": forms.get("split") or SplitForm(members=members),
            "link_form": forms.get("link") or LinkForm(),
            "undo_form": UndoForm(),
        },
        status=400 if forms else 200,
    )


def _other_case(request, case_id: str):
    """The other case of a move or a link, through the same door as any case."""
    try:
        return policy.get_case_for_user(request.user, case_id)
    except policy.NotFound:
        return None


def _errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_safe
@permission_required("registry.compose")
def composition(request, case_id):
    return _page(request, case_or_404(request, case_id))


def _member(members, person_id):
    return next((p for p in members if p.person_id == person_id), None)


@require_POST
@permission_required("registry.compose")
def move(request, case_id):
    case = case_or_404(request, case_id)
    members = selectors.case_composition(case)["members"]
    form = MoveForm(request.POST, members=members)
    if not form.is_valid():
        return _page(request, case, move=form)
    data = form.cleaned_data
    target = _other_case(request, data["target"].strip())
    if target is None:
        form.add_error("target", _("No case %(id)s.") % {"id": data["target"][:32]})
        return _page(request, case, move=form)
    try:
        services.person_move(
            actor=request.user,
            person=_member(members, data["person"]),
            target=target,
            relationship=data["relationship"],
            new_principal=_member(members, data["new_principal"]),
            reason=data["reason"],
        )
    except ValidationError as exc:
        _errors(form, exc)
        return _page(request, case, move=form)
    messages.success(
        request,
        _("Moved %(person)s to %(case)s.") % {"person": data["person"], "case": target.case_id},
    )
    return redirect("case_composition", case_id=case.case_id)


@require_POST
@permission_required("registry.compose")
def split(request, case_id):
    case = case_or_404(request, case_id)
    members = selectors.case_composition(case)["members"]
    form = SplitForm(request.POST, members=members)
    if not form.is_valid():
        return _page(request, case, split=form)
    data = form.cleaned_data
    try:
        change = services.case_split(
            actor=request.user,
            case=case,
            persons=[_member(members, pid) for pid in data["persons"]],
            principal=_member(members, data["principal"]),
            reason=data["reason"],
        )
    except ValidationError as exc:
        _errors(form, exc)
        return _page(request, case, split=form)
    messages.success(request, _("Split off case %(case)s.") % {"case": change.target.case_id})
    return redirect("case_composition", case_id=case.case_id)


@require_POST
@permission_required("registry.compose")
def link(request, case_id):
    case = case_or_404(request, case_id)
    form = LinkForm(request.POST)
    if not form.is_valid():
        return _page(request, case, link=form)
    data = form.cleaned_data
    other = _other_case(request, data["other"].strip())
    if other is None:
        form.add_error("other", _("No case %(id)s.") % {"id": data["other"][:32]})
        return _page(request, case, link=form)
    try:
        services.cases_link(
            actor=request.user, case=case, other=other, kind=data["kind"], reason=data["reason"]
        )
    except ValidationError as exc:
        _errors(form, exc)
        return _page(request, case, link=form)
    messages.success(
        request, _("Linked %(a)s and %(b)s.") % {"a": case.case_id, "b": other.case_id}
    )
    return redirect("case_composition", case_id=case.case_id)


def _reason_or_back(request, case):
    form = UndoForm(request.POST)
    if form.is_valid():
        return form.cleaned_data["reason"]
    messages.error(request, _("Give the reason (it is kept on record)."))
    return None


@require_POST
@permission_required("registry.compose")
def undo(request, case_id, change_id):
    case = case_or_404(request, case_id)
    change = get_object_or_404(CaseChange, pk=change_id)
    if case.pk not in (change.source_id, change.target_id):
        raise Http404(f"No change {change_id} of case {case.case_id}.")
    reason = _reason_or_back(request, case)
    if reason:
        try:
            services.change_undo(actor=request.user, change=change, reason=reason)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Undone."))
    return redirect("case_composition", case_id=case.case_id)


@require_POST
@permission_required("registry.compose")
def link_end(request, case_id, link_id):
    case = case_or_404(request, case_id)
    found = get_object_or_404(CaseLink, pk=link_id)
    if case.pk not in (found.case_a_id, found.case_b_id):
        raise Http404(f"No link {link_id} of case {case.case_id}.")
    reason = _reason_or_back(request, case)
    if reason:
        try:
            services.link_end(actor=request.user, link=found, reason=reason)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Link ended."))
    return redirect("case_composition", case_id=case.case_id)
