"""The retention policy page in the authorization matrix: retention.view is the admin's,
the data manager's and the auditor's. It names no record (one page for the whole
operation), so it has no out-of-scope column."""

from django.urls import reverse

from onward.web.tests.matrix import Row, outcome


def world(users) -> dict:
    return {}


ROWS = [
    Row(
        "retention_policy",
        lambda w: reverse("retention_policy"),
        outcome(403, A=200, DM=200, AU=200),
        outside=None,  # the policy of the whole operation: no id in the URL
    ),
]
