"""Matching pages. Thin: parse the request, call selectors and services, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onward.accounts import policy as access
from onward.audit.models import AuditEntry
from onward.audit.services import audit_record
from onward.matching import inputs, scoring, selectors, services
from onward.matching.forms import LinkForm, PinForm, PolicyForm, StartForm
from onward.registry.services import StaleEdit
from onward.relocation.workflow import StaleState
from onward.web.access import permission_required, record_or_404

PERM = "matching.run"


def _text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(
            f"{k}: {m}" if k not in ("__all__", "") else m
            for k, msgs in exc.message_dict.items()
            for m in msgs
        )
    return " ".join(exc.messages)


def _run(request, run_id):
    return record_or_404(request, selectors.get_run_for_user, "match_run", run_id)


# --- Runs ------------------------------------------------------------------------------------


@require_safe
@permission_required(PERM)
def match_list(request):
    page = Paginator(selectors.run_list(user=request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "matching/run_list.html",
        {"page": page, "form": StartForm(), "policies": selectors.policy_list(user=request.user)},
    )


@require_POST
@permission_required(PERM)
def match_start(request):
    form = StartForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(
            request,
            _("The match could not start: %(problems)s")
            % {"problems": " ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())},
        )
        return redirect("match_list")
    data = form.cleaned_data
    try:
        predictions = None
        if data["predictions"]:
            predictions = inputs.predictions_parse(
                data["predictions"].read().decode("utf-8", errors="replace")
            )
        run = services.run_start(
            actor=request.user,
            policy=data["policy"],
            time_limit=data["time_limit"],
            gap=data["gap"],
            predictions=predictions,
            note=data["note"],
        )
    except ValidationError as exc:
        messages.error(request, _("The match could not start. %(why)s") % {"why": _text(exc)})
        return redirect("match_list")
    messages.success(request, _("Match run %(pk)s started.") % {"pk": run.pk})
    return redirect("match_run", run_id=run.pk)


def _render_run(request, run, **extra):
    return render(
        request,
        "matching/run_detail.html",
        {**selectors.run_detail(user=request.user, run=run), **extra},
    )


@require_safe
@permission_required(PERM)
def match_run(request, run_id):
    return _render_run(request, _run(request, run_id))


@require_POST
@permission_required(PERM)
def match_pin(request, run_id):
    run = _run(request, run_id)
    form = PinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a case, a pledge and lock, forbid or release."))
        return redirect("match_run", run_id=run.pk)
    d = form.cleaned_data
    try:
        services.pin_set(
            actor=request.user, run=run, case_id=d["case"], pledge_id=d["pledge"], kind=d["kind"]
        )
    except ValidationError as exc:
        messages.error(request, _("Refused. %(why)s") % {"why": _text(exc)})
    else:
        done = {
            "lock": _("%(case)s locked to pledge %(pledge)s for the next re-solve."),
            "forbid": _("%(case)s forbidden for pledge %(pledge)s for the next re-solve."),
            "release": _("%(case)s released from pledge %(pledge)s for the next re-solve."),
        }
        messages.success(request, done[d["kind"]] % {"case": d["case"], "pledge": d["pledge"]})
    return redirect(f"{_run_url(run)}#pins")


def _run_url(run) -> str:
    from django.urls import reverse

    return reverse("match_run", kwargs={"run_id": run.pk})


@require_POST
@permission_required(PERM)
def match_resolve(request, run_id):
    run = _run(request, run_id)
    try:
        child = services.run_resolve(actor=request.user, run=run)
    except ValidationError as exc:
        messages.error(request, _("Not re-solved. %(why)s") % {"why": _text(exc)})
        return redirect("match_run", run_id=run.pk)
    messages.success(
        request, _("Re-solving as run %(pk)s (from run %(pk2)s).") % {"pk": child.pk, "pk2": run.pk}
    )
    return redirect("match_run", run_id=child.pk)


@require_POST
@permission_required(PERM)
def match_accept(request, run_id):
    run = _run(request, run_id)
    choice = request.POST.get("pledge", "all")
    pledges = None if choice == "all" else [choice]
    try:
        done = services.run_accept(actor=request.user, run=run, pledge_ids=pledges)
    except (ValidationError, StaleState) as exc:
        if isinstance(exc, StaleState):
            report = {"": [str(exc)]}
        else:
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
        return _render_run(request, run, report=report)
    total = sum(len(v) for v in done.values())
    messages.success(
        request,
        ngettext(
            "Submitted %(n)s case to %(pledges)s pledge(s).",
            "Submitted %(n)s cases to %(pledges)s pledge(s).",
            total,
        )
        % {"n": total, "pledges": len(done)},
    )
    return redirect("match_run", run_id=run.pk)


@require_safe
@permission_required(PERM)
def match_explain(request, run_id, case_id, pledge_id):
    run = _run(request, run_id)
    try:
        detail = selectors.pair_explanation(
            user=request.user, run=run, case_id=case_id, pledge_id=pledge_id
        )
    except access.NotFound:
        raise Http404("No such pair in this run.") from None
    return render(request, "matching/explain.html", detail)


@require_POST
@permission_required(PERM)
def match_reproduce(request, run_id):
    run = _run(request, run_id)
    if run.status != run.Status.DONE:
        messages.error(request, _("Only a solved run can be reproduced."))
        return redirect("match_run", run_id=run.pk)
    audit_record(
        actor=request.user,
        action=AuditEntry.Action.VIEW,
        object_type="match_run",
        object_id=run.pk,
        detail="reproduced from its stored inputs",
    )
    return render(
        request, "matching/reproduce.html", {"run": run, "again": services.matchrun_reproduce(run)}
    )


# --- Policies ----------------------------------------------------------------------------------


@require_safe
@permission_required(PERM)
def policy_list(request):
    return render(
        request, "matching/policy_list.html", {"policies": selectors.policy_list(user=request.user)}
    )


@require_safe
@permission_required(PERM)
def policy_detail(request, policy_id):
    policy = record_or_404(request, selectors.get_policy_for_user, "scoring_policy", policy_id)
    versions = selectors.policy_versions(policy)
    return render(
        request,
        "matching/policy_detail.html",
        {
            "policy": policy,
            "versions": versions,
            "labels": scoring.LABELS,
            "latest": versions[0],
            "runs": policy.runs.defer("inputs", "result")[:20],
        },
    )


def _policy_form(request, policy):
    edit = policy is not None
    initial = PolicyForm.initial_for(
        policy.weights if edit else scoring.clean_weights({}),
        name=policy.name if edit else "",
        version=policy.version if edit else None,
    )
    form = PolicyForm(request.POST or None, initial=initial, edit=edit)
    if request.method == "POST" and form.is_valid():
        try:
            if edit:
                saved = services.policy_update(
                    actor=request.user,
                    policy=policy,
                    expected_version=form.cleaned_data["version"] or 0,
                    weights=form.weights(),
                    note=form.cleaned_data["note"],
                )
            else:
                saved = services.policy_create(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    weights=form.weights(),
                    note=form.cleaned_data["note"],
                )
        except StaleEdit as exc:
            messages.error(request, str(exc))
            return redirect("policy_detail", policy_id=policy.pk)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Saved %(saved)s.") % {"saved": saved})
            return redirect("policy_detail", policy_id=saved.pk)
    return render(
        request,
        "matching/policy_form.html",
        {
            "form": form,
            "policy": policy,
            "title": _("Edit %(policy)s (saves version %(version)s)")
            % {"policy": policy, "version": policy.version + 1}
            if edit
            else _("New scoring policy"),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(PERM)
def policy_create(request):
    return _policy_form(request, None)


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(PERM)
def policy_edit(request, policy_id):
    policy = record_or_404(request, selectors.get_policy_for_user, "scoring_policy", policy_id)
    if not policy.current:
        messages.warning(
            request,
            _("%(policy)s is an old version: editing the current one.") % {"policy": policy},
        )
        policy = selectors.policy_versions(policy)[0]
    return _policy_form(request, policy)


# --- Family links and preferences ------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(PERM)
def country_link_list(request):
    if request.method == "POST":
        form = LinkForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                case = access.get_case_for_user(request.user, d["case_id"].strip())
                services.case_link_add(
                    actor=request.user,
                    case=case,
                    country=d["country"],
                    kind=d["kind"],
                    note=d["note"],
                )
            except access.NotFound:
                messages.error(request, _("No case %(case)s.") % {"case": d["case_id"]})
            except ValidationError as exc:
                messages.error(request, _("Not recorded. %(why)s") % {"why": _text(exc)})
            else:
                messages.success(
                    request,
                    _("Recorded for %(case)s: %(kind)s %(country)s.")
                    % {
                        "case": case.case_id,
                        "kind": dict(LinkForm.base_fields["kind"].choices)[d["kind"]],
                        "country": d["country"].upper(),
                    },
                )
        else:
            messages.error(request, _("Give the case, the country and the kind of link."))
        return redirect("country_link_list")
    page = Paginator(selectors.link_list(user=request.user), 100).get_page(request.GET.get("page"))
    return render(request, "matching/link_list.html", {"page": page, "form": LinkForm()})


@require_POST
@permission_required(PERM)
def country_link_end(request, link_id):
    link = record_or_404(request, selectors.get_link_for_user, "case_country_link", link_id)
    try:
        services.case_link_end(actor=request.user, link=link)
    except ValidationError as exc:
        messages.error(request, _text(exc))
    else:
        messages.success(
            request,
            _("Ended: %(case)s %(kind)s %(country)s.")
            % {
                "case": link.case.case_id,
                "kind": link.get_kind_display().lower(),
                "country": link.country,
            },
        )
    return redirect("country_link_list")
