from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from onward.retention import selectors
from onward.web.access import permission_required


@require_safe
@permission_required("retention.view")
def retention_policy(request):
    """The retention policy, read-only: it is set in the deployment's settings."""
    today = timezone.localdate()
    return render(
        request,
        "retention/policy.html",
        {
            "today": today,
            "rules": selectors.policy_rows(today),
            "runs": selectors.recent_runs(),
            **selectors.kept_by_own_rule(),
        },
    )
