"""Clustering that never chains unrelated people through one weak link.

1. Connected components over the edges at or above the automatic threshold.
2. Components of two are done.  In a larger component every pair of members is scored
   (not only the candidate pairs), and the component is rebuilt by average linkage: two
   groups merge only when their average match weight clears the threshold, no pair
   between them is vetoed (siblings, twins) and none falls below the review threshold.
   So A~B and B~C with A clearly not C ends as {A, B} {C} or {A} {B, C}, never {A, B, C}.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

MAX_COMPONENT = 1500
Rescore = Callable[[np.ndarray, np.ndarray], np.ndarray]


def components(n: int, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """Component label of each of n nodes: the smallest node of its component."""
    graph = coo_matrix(
        (np.ones(len(ia), np.int32), (np.asarray(ia), np.asarray(ib))), shape=(n, n)
    ).tocsr()
    _, labels = connected_components(graph, directed=False)
    # The first node of each label in index order is its smallest: a node id, so labels
    # and member ids can be mixed in cluster_ids.
    _, first = np.unique(labels, return_index=True)
    return first[labels]


def cluster_ids(
    n: int,
    ia: np.ndarray,
    ib: np.ndarray,
    weight: np.ndarray,
    threshold_w: float,
    review_w: float,
    rescore: Rescore,
) -> np.ndarray:
    """Cluster id per node (0..C-1, a singleton is its own cluster)."""
    strong = weight >= threshold_w
    labels = components(n, ia[strong], ib[strong])
    groups = _large_groups(labels, ia[strong], ib[strong], weight[strong], threshold_w)
    final = labels.copy()
    # A member of a component of more than two is placed by its group below; one that
    # is in no group (left alone when a huge component was split) is alone, not in
    # the huge component's cluster with every other one left alone.
    _, inv, counts = np.unique(labels, return_inverse=True, return_counts=True)
    loose = np.nonzero(counts[inv] > 2)[0]
    final[loose] = loose
    pa, pb = _all_pairs(groups)
    w_all = rescore(pa, pb) if len(pa) else np.empty(0)
    start = 0
    for members in groups:
        s = len(members)
        cnt = s * (s - 1) // 2
        sub = _average_linkage(s, w_all[start : start + cnt], threshold_w, review_w)
        start += cnt
        for local, node in enumerate(members):
            final[node] = members[sub[local]]
    _, dense = np.unique(final, return_inverse=True)
    return dense


def _large_groups(
    labels: np.ndarray, ia: np.ndarray, ib: np.ndarray, w: np.ndarray, threshold_w: float
) -> list[np.ndarray]:
    """Members of components with more than two nodes, huge ones split by raising the bar."""
    _, inv, counts = np.unique(labels, return_inverse=True, return_counts=True)
    big = np.nonzero(counts[inv] > 2)[0]
    if not len(big):
        return []
    order = big[np.argsort(labels[big], kind="stable")]
    cuts = np.nonzero(np.diff(labels[order]))[0] + 1
    groups = []
    for members in np.split(order, cuts):
        if len(members) <= MAX_COMPONENT:
            groups.append(members)
        else:
            groups.extend(_split_huge(members, ia, ib, w, threshold_w))
    return groups


def _split_huge(
    members: np.ndarray, ia: np.ndarray, ib: np.ndarray, w: np.ndarray, threshold_w: float
) -> list[np.ndarray]:
    """Raise the edge threshold inside one huge component until its parts are tractable."""
    inside = np.isin(ia, members)
    sa, sb, sw = ia[inside], ib[inside], w[inside]
    bar = threshold_w + 2
    while True:
        keep = sw >= bar
        lab = components(int(members.max()) + 1, sa[keep], sb[keep])[members]
        _, inv, counts = np.unique(lab, return_inverse=True, return_counts=True)
        if counts.max() <= MAX_COMPONENT:
            order = np.argsort(lab, kind="stable")
            cuts = np.nonzero(np.diff(lab[order]))[0] + 1
            return [g for g in np.split(members[order], cuts) if len(g) > 1]
        bar += 2


def _all_pairs(groups: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Every (i < j) pair of members inside each group, concatenated in group order."""
    pa, pb = [], []
    for members in groups:
        i, j = np.triu_indices(len(members), k=1)
        pa.append(members[i])
        pb.append(members[j])
    if not pa:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(pa), np.concatenate(pb)


def _average_linkage(s: int, w_upper: np.ndarray, threshold_w: float, review_w: float) -> list[int]:
    """Local index of each member's group representative after constrained average linkage."""
    W = np.zeros((s, s))
    i, j = np.triu_indices(s, k=1)
    W[i, j] = w_upper
    W[j, i] = w_upper
    total = W.copy()  # sum of cross weights between groups
    low = W.copy()  # minimum cross weight between groups
    np.fill_diagonal(low, np.inf)
    size = np.ones(s)
    alive = np.ones(s, bool)
    rep = list(range(s))
    while True:
        avg = total / np.outer(size, size)
        ok = alive[:, None] & alive[None, :] & (low >= review_w) & (avg >= threshold_w)
        np.fill_diagonal(ok, False)
        if not ok.any():
            break
        cand = np.where(ok, avg, -np.inf)
        i_best, j_best = np.unravel_index(int(np.argmax(cand)), cand.shape)
        a, b = min(int(i_best), int(j_best)), max(int(i_best), int(j_best))
        total[a, :] += total[b, :]
        total[:, a] = total[a, :]
        low[a, :] = np.minimum(low[a, :], low[b, :])
        low[:, a] = low[a, :]
        low[a, a] = np.inf
        size[a] += size[b]
        alive[b] = False
        rep = [a if r == b else r for r in rep]
    return rep
