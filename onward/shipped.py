"""Managed lists as shipped (specific needs, capacity dimensions, appointment types…).

A list is seeded with English labels marked with `gettext_noop`, so they are msgids of the
catalogs. `shown(label, shipped)` is how every page shows a row's label: the label as
shipped reads in the reader's language; a label an administrator typed or renamed is
shown as typed (it is no msgid, and a renamed row's text is its administrator's choice).
"""

from django.utils.translation import gettext


def shown(label: str, shipped: str | None) -> str:
    """`label` in the active language when it is the list's label as shipped (`shipped`),
    else as typed."""
    if label and shipped is not None and label == shipped:
        return gettext(label)
    return label
