"""Marking many answers files on every core: sheets are independent, so a large class is split
among worker processes, each holding the same marking function (and its checker and trace), and
the results come back in the order of the files.

Workers are forked, so the checker is shared without being copied or pickled; where fork is not
available, or for a small class (under `PARALLEL_FROM` files, where starting workers would cost
more than it saves), the files are marked one after the other in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any, Callable, Iterator, Sequence

PARALLEL_FROM = 200  # files
_MARK: Any = None  # the marking function the forked workers use


def mark_files(mark: Callable[[str], Any], paths: Sequence[str], workers: int | None = None) -> Iterator[Any]:
    """`mark(path)` for each file, in order: in this process for a small class, else on every core."""
    global _MARK
    if workers is None:
        workers = min(os.cpu_count() or 1, len(paths) // (PARALLEL_FROM // 2) or 1) if len(paths) >= PARALLEL_FROM else 1
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (mark(p) for p in paths)
        return
    _MARK = mark
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_mark_in_worker, paths, chunksize=max(1, min(32, len(paths) // (4 * workers))))
    finally:
        _MARK = None


def _mark_in_worker(path: str) -> Any:
    return _MARK(path)
