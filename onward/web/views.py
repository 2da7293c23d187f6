import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render

from onward.accounts.policy import can, visible_cases, visible_persons
from onward.audit.models import AuditEntry
from onward.audit.selectors import audit_search
from onward.registry.models import Case
from onward.web.access import permission_required


@permission_required()
def home(request):
    """The overview: the registry's head-counts within the user's scope."""
    persons = visible_persons(request.user)
    context = {"today": dt.date.today()}
    if can(request.user, "registry.view"):
        context.update({
            "persons": persons.filter(case__status=Case.Status.OPEN).count(),
            "cases": visible_cases(request.user).filter(status=Case.Status.OPEN).count(),
            "by_sex": list(persons.filter(case__status=Case.Status.OPEN)
                           .values("sex").annotate(n=Count("id")).order_by("sex")),
            "by_nationality": list(persons.filter(case__status=Case.Status.OPEN)
                                   .values("nationality").annotate(n=Count("id"))
                                   .order_by("-n")[:6]),
        })
    return render(request, "web/home.html", context)


@permission_required("audit.view")
def audit_list(request):
    filters = {k: request.GET.get(k, "").strip() for k in
               ("actor", "action", "object_id", "date_from", "date_to")}
    entries = audit_search(**{
        k: (v or None) if k.startswith("date") else v for k, v in filters.items()})
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/audit_list.html", {
        "page": Paginator(entries, 100).get_page(request.GET.get("page")),
        "filters": filters, "actions": AuditEntry.Action.choices, "query": query.urlencode(),
    })
