"""Pages of long lists whose count would cost more than the page itself."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """A paginator whose count stops at `cap` (`count_capped` then says so, and the pager
    says "more than …"): counting a million-row list (no query, a common name, the whole
    audit log of 200 million entries) would cost more than the page itself. A count of a
    sliced queryset is a COUNT(*) over at most cap + 1 rows read in the list's order."""

    cap = 10_000
    count_capped = False

    @cached_property
    def count(self) -> int:
        counted = (
            self.object_list[: self.cap + 1].count()
            if hasattr(self.object_list, "query")
            else len(self.object_list)
        )
        self.count_capped = counted > self.cap
        return min(counted, self.cap)
