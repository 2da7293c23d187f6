"""The duplicate search on a Dask cluster: the same engine, its parts on the workers.

`onward dedup --workers N` (or a scheduler's address, `--scheduler`) runs blocking, one
part per blocking key, and the comparing and scoring of candidate pairs, one part per
chunk, on the workers of a Dask distributed cluster, each worker within its memory
limit; the model is fitted and the clusters are merged here, on every pair, so the
clusters are those of the single-process run on the same input (tested on 100,000
records, `dedup/tests/test_distributed.py`). The single-process path stays the default.

Dask is an optional dependency (`pip install onward[distributed]`; the test extra has
it): imported only when a cluster is asked for."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any


class DaskMapper:
    """A `Mapper` (engine/parallel.py) on a Dask client: every part of a step is
    submitted at once, and the results are taken in order and released one by one."""

    def __init__(self, client) -> None:
        self.client = client
        self._shared: dict[int, Any] = {}

    def _scatter(self, shared: Any):
        """The shared data (the prepared records) sent to every worker once per run."""
        key = id(shared)
        if key not in self._shared:
            self._shared[key] = (shared, self.client.scatter(shared, broadcast=True, hash=False))
        return self._shared[key][1]

    def __call__(
        self, fn: Callable[..., Any], shared: Any, parts: Iterable[tuple]
    ) -> Iterator[Any]:
        handle = self._scatter(shared)
        # Each part's data goes to a worker as data (scatter), not inside the task graph
        # that the scheduler keeps.
        futures = [
            self.client.submit(_apply, fn, handle, self.client.scatter([args], hash=False)[0])
            for args in parts
        ]
        try:
            for future in futures:
                yield future.result()
                future.release()
        finally:
            for future in futures:
                future.release()

    def close(self) -> None:
        for _, handle in self._shared.values():
            handle.release()
        self._shared.clear()


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
