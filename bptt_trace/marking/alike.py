"""Which candidate pairs of a class's sheets are near-identical, many pairs at a time.

Most sheets of a class name the same quantities in the same order, so their answers' text ids
stack into one matrix per order of names, and one sheet is compared with all its candidates in
one step; sheets in another order are compared by name (`classroom._alike`). The counts, shares
and order are those of comparing each pair alone, in sorted order.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Callable

import numpy as np


def near_pairs(groups: list[list[int]], texts: list[tuple], blank: int, one: Callable[[tuple, tuple], tuple[int, int]],
               least: int, similar: float) -> list[tuple[int, int, float]]:
    """(i, j, share written the same) for each pair i < j (or i itself) within a group that gives at least
    `least` answers both write (the first's not blank) and a share of at least `similar`, in sorted order.

    `texts[i]` is sheet i's (order of names id, text ids); `one` counts any two sheets alone."""
    partners: dict[int, set[int]] = defaultdict(set)
    for sheets in groups:
        for n, i in enumerate(sheets):
            partners[i].update(sheets[n + 1:])
    rows, matrices = _matrices(texts, set(partners).union(*partners.values()))
    out = []
    for i in sorted(partners):
        js = sorted(partners[i])
        order = texts[i][0]
        matrix = matrices[order]
        x = matrix[rows[i]]
        mask = x != blank
        shared = int(mask.sum())
        if all(texts[j][0] == order for j in js):  # one step for all of them, as in most classes
            if shared >= least:
                shares = ((matrix[[rows[j] for j in js]] == x) & mask).sum(axis=1) / shared
                keep = np.flatnonzero(shares >= similar)
                out += zip([i] * len(keep), np.asarray(js)[keep].tolist(), shares[keep].tolist())
            continue
        for j in js:
            both, alike = (shared, int(((matrix[rows[j]] == x) & mask).sum())) if texts[j][0] == order else \
                one(texts[i], texts[j])
            if both >= least and alike / both >= similar:
                out.append((i, j, alike / both))
    return out


def _matrices(texts: list[tuple], wanted: set) -> tuple[dict[int, int], dict[int, np.ndarray]]:
    """Each wanted sheet's row in the matrix of its order of names, and those matrices."""
    by_order: dict[int, list[int]] = defaultdict(list)
    for k in sorted(wanted):
        by_order[texts[k][0]].append(k)
    rows, matrices = {}, {}
    for order, sheets in by_order.items():
        matrices[order] = np.array([np.frombuffer(texts[k][1], dtype=np.int64) for k in sheets]).reshape(
            len(sheets), -1)
        rows.update((k, n) for n, k in enumerate(sheets))
    return rows, matrices
