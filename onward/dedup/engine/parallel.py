"""Where the engine's independent parts run: one after the other in this process (the
default), or on the workers of a Dask cluster (onward/dedup/distributed.py).

A part is `fn(shared, *args)`: `shared` is the same for every part of a step (the
prepared records), `args` its own slice of the work (a range of one blocking key's
blocks, one chunk of candidate pairs). A mapper yields the results in the order of the
parts, one at a time, so that the caller can write each into its place and let it go:
the single-process path holds no more than it did before parts existed.

`shuffle` is the step whose parts' results are regrouped before they are used (the
union of the blocking keys' pairs): each part returns one piece per bucket, and each
bucket's pieces from every part are merged on their own; the caller gets the merged
buckets' sizes first (to allocate its arrays once), then the buckets in order, one at
a time. On a cluster the pieces and the buckets stay on the workers until then."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

Done = Callable[[int, int], None]


class Mapper(Protocol):
    def __call__(
        self, fn: Callable[..., Any], shared: Any, parts: Iterable[tuple]
    ) -> Iterator[Any]: ...

    def shuffle(
        self,
        fn: Callable[..., list[Any]],
        shared: Any,
        parts: list[tuple],
        merge: Callable[[Any, list[Any]], Any],
        buckets: int,
        measure: Callable[[Any], int],
        done: Done | None = None,
    ) -> tuple[list[int], Iterator[Any]]: ...


class InProcess:
    """The parts one after the other, here."""

    def __call__(
        self, fn: Callable[..., Any], shared: Any, parts: Iterable[tuple]
    ) -> Iterator[Any]:
        for args in parts:
            yield fn(shared, *args)

    def shuffle(
        self,
        fn: Callable[..., list[Any]],
        shared: Any,
        parts: list[tuple],
        merge: Callable[[Any, list[Any]], Any],
        buckets: int,
        measure: Callable[[Any], int],
        done: Done | None = None,
    ) -> tuple[list[int], Iterator[Any]]:
        pieces: list[list[Any]] = [[] for _ in range(buckets)]
        for k, args in enumerate(parts):
            for bucket, piece in zip(pieces, fn(shared, *args), strict=True):
                bucket.append(piece)
            if done:
                done(k + 1, len(parts))
        merged = []
        for b in range(buckets):
            mine, pieces[b] = pieces[b], []
            merged.append(merge(shared, mine))  # merge may empty `mine` as it goes
            del mine
        sizes = [measure(m) for m in merged]

        def each() -> Iterator[Any]:
            while merged:
                yield merged.pop(0)

        return sizes, each()


in_process = InProcess()


def chunks(n: int, size: int) -> list[tuple[int, int]]:
    """[(start, stop)] covering range(n) in pieces of `size`."""
    return [(s, min(s + size, n)) for s in range(0, n, size)]
