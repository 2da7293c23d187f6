"""The duplicate search on a Dask cluster: the same engine, its parts on the workers.

`onward dedup --workers N` (or a scheduler's address, `--scheduler`) runs blocking (a
part per range of one blocking key's blocks, the union of their pairs by buckets of the
first index) and the comparing and scoring of candidate pairs, one part per
chunk, on the workers of a Dask distributed cluster, each worker within its memory
limit; the model is fitted and the clusters are merged here, on every pair, so the
clusters are those of the single-process run on the same input (tested on 100,000
records, `dedup/tests/test_distributed.py`). The single-process path stays the default.

Dask is an optional dependency (`pip install onward[distributed]`; the test extra has
it): imported only when a cluster is asked for."""

from __future__ import annotations

import operator
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any


class DaskMapper:
    """A `Mapper` (engine/parallel.py) on a Dask client. A step's parts are submitted a
    few ahead of the one being taken (two per worker thread: the workers never wait, and
    neither they nor this process hold more than a few parts' data), and the results are
    taken in order and released one by one."""

    def __init__(self, client, ahead: int | None = None) -> None:
        self.client = client
        self._shared: dict[int, Any] = {}
        self.ahead = ahead

    def _scatter(self, shared: Any):
        """The shared data (the prepared records) sent to every worker once per run."""
        key = id(shared)
        if key not in self._shared:
            self._shared[key] = (shared, self.client.scatter(shared, broadcast=True, hash=False))
        return self._shared[key][1]

    def _submit(self, fn: Callable[..., Any], handle, args: tuple, **kw):
        # A part's data goes to a worker as data (scatter), not inside the task graph
        # that the scheduler keeps.
        data = self.client.scatter([args], hash=False)[0]
        return self.client.submit(_apply, fn, handle, data, **kw)

    def __call__(
        self, fn: Callable[..., Any], shared: Any, parts: Iterable[tuple]
    ) -> Iterator[Any]:
        handle = self._scatter(shared)
        ahead = self.ahead or max(2, 2 * sum(self.client.nthreads().values()))
        todo = iter(parts)
        pending: deque = deque()
        try:
            while True:
                while len(pending) < ahead:
                    args = next(todo, _END)
                    if args is _END:
                        break
                    pending.append(self._submit(fn, handle, args))
                if not pending:
                    return
                future = pending.popleft()
                yield future.result()
                future.release()
        finally:
            for future in pending:
                future.release()

    def shuffle(
        self,
        fn: Callable[..., list[Any]],
        shared: Any,
        parts: list[tuple],
        merge: Callable[[Any, list[Any]], Any],
        buckets: int,
        measure: Callable[[Any], int],
        done: Callable[[int, int], None] | None = None,
    ) -> tuple[list[int], Iterator[Any]]:
        """Every part at once (its result is small beside its pieces, which stay where
        they were made), a piece per part and bucket taken out of it on that worker,
        a bucket's merge wherever Dask puts it: only the sizes and then the merged
        buckets, one at a time, come here."""
        handle = self._scatter(shared)
        client = self.client
        outs = [self._submit(fn, handle, args) for args in parts]
        # The pieces before the next parts (priority): a part's list is released, and
        # its memory counted once, as soon as it is cut.
        pieces = [
            [client.submit(operator.getitem, out, b, priority=1) for out in outs]
            for b in range(buckets)
        ]
        for k, out in enumerate(outs):
            distributed_wait(out)
            if done:
                done(k + 1, len(outs))
        del outs
        merged = [client.submit(_merge, merge, handle, *bucket, priority=2) for bucket in pieces]
        del pieces
        sizes = client.gather([client.submit(measure, m, priority=3) for m in merged])

        def each() -> Iterator[Any]:
            try:
                while merged:
                    future = merged.pop(0)
                    yield future.result()
                    future.release()
            finally:
                for future in merged:
                    future.release()

        return sizes, each()

    def close(self) -> None:
        for _, handle in self._shared.values():
            handle.release()
        self._shared.clear()


_END = object()


def distributed_wait(future) -> None:
    _distributed().wait(future)


def _merge(merge: Callable[[Any, list[Any]], Any], shared: Any, *pieces: Any) -> Any:
    return merge(shared, list(pieces))


def _apply(fn: Callable[..., Any], shared: Any, args: tuple) -> Any:
    return fn(shared, *args)


def _distributed():
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - the test extra installs it
        raise RuntimeError(
            "A Dask cluster was asked for but Dask is not installed: "
            "pip install 'onward[distributed]'"
        ) from exc
    return distributed


@contextmanager
def cluster_mapper(
    workers: int = 2, memory_limit: str | None = "4GB", scheduler: str | None = None
):
    """A DaskMapper on a cluster: the scheduler at `scheduler`, or a local cluster of
    `workers` worker processes of one thread each, each within `memory_limit` (Dask
    pauses a worker at 80% of it and restarts one past 95%). Closed on exit."""
    distributed = _distributed()
    if scheduler:
        client = distributed.Client(scheduler)
        local = None
    else:
        local = distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=memory_limit,
            dashboard_address=":0",
        )
        client = distributed.Client(local)
    mapper = DaskMapper(client)
    try:
        yield mapper
    finally:
        mapper.close()
        client.close()
        if local is not None:
            local.close()
