from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from onward import bounds
from onward.accounts.policy import can, is_delegation, visible_cases
from onward.audit.models import AuditEntry
from onward.audit.selectors import archived_months, audit_search
from onward.registry.models import Case
from onward.web.access import permission_required
from onward.web.pagination import CappedPaginator


@require_safe
@permission_required()
def home(request):
    """The overview: today's population (the ledger's figure, the same as the population
    page, the reports and the API give for the date) and the open cases, for the roles
    that read the registry (they see the whole operation)."""
    from onward.movements.ledger import population

    if is_delegation(request.user):
        # A delegation lands on its pledges and the cases waiting for its decision.
        return redirect("delegation_home")
    today = timezone.localdate()
    context = {"today": today}
    if can(request.user, "registry.view"):
        pop = population(on=today)
        context.update(
            {
                "population": pop["total"],
                "cases": visible_cases(request.user).filter(status=Case.Status.OPEN).count(),
                "by_sex": [(code, pop["by_sex"].get(code, 0)) for code in ("M", "F", "X")],
                "by_nationality": sorted(
                    pop["by_nationality"].items(), key=lambda kv: (-kv[1], kv[0])
                )[:6],
                "can_movements": can(request.user, "movements.view"),
            }
        )
    return render(request, "web/home.html", context)


def _audit_day(request, text: str):
    """A date filter of the audit page; a bad one is said and not applied."""
    if not text:
        return None
    try:
        return bounds.parse_date(text)
    except ValueError as exc:
        messages.warning(request, _("%(exc)s It is not applied.") % {"exc": exc})
        return None


@require_safe
@permission_required("audit.view")
def audit_list(request):
    filters = {
        k: request.GET.get(k, "").strip()
        for k in ("actor", "action", "object_id", "date_from", "date_to")
    }
    entries = audit_search(
        **{k: _audit_day(request, v) if k.startswith("date") else v for k, v in filters.items()}
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/audit_list.html",
        {
            # At 200 million entries a count of the whole log takes minutes: stop at 10,000.
            "page": CappedPaginator(entries, 100).get_page(request.GET.get("page")),
            "filters": filters,
            "actions": AuditEntry.Action.choices,
            "query": query.urlencode(),
            "archived": archived_months(),
        },
    )
