"""Where the engine's independent parts run: one after the other in this process (the
default), or on the workers of a Dask cluster (onward/dedup/distributed.py).

A part is `fn(shared, *args)`: `shared` is the same for every part of a step (the
prepared records), `args` its own slice of the work (one blocking key, one chunk of
candidate pairs). A mapper yields the results in the order of the parts, one at a time,
so that the caller can write each into its place and let it go: the single-process path
holds no more than it did before parts existed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol


class Mapper(Protocol):
    def __call__(
        self, fn: Callable[..., Any], shared: Any, parts: Iterable[tuple]
    ) -> Iterator[Any]: ...


def in_process(fn: Callable[..., Any], shared: Any, parts: Iterable[tuple]) -> Iterator[Any]:
    for args in parts:
        yield fn(shared, *args)


def chunks(n: int, size: int) -> list[tuple[int, int]]:
    """[(start, stop)] covering range(n) in pieces of `size`."""
    return [(s, min(s + size, n)) for s in range(0, n, size)]
