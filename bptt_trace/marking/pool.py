"""Marking many answers files on every core: sheets are independent, so a large class is split
among worker processes, each holding the same marking function (and its checker and trace), and
the results come back in the order of the files.

Workers are forked, so the checker is shared without being copied or pickled; the reports are
pickled back (about 50 kB a sheet), which costs about a third of marking a sheet, so this pays
only on idle cores: `check --jobs N` asks for it, and the default is one process. Where fork is
not available, or for a small class (under `PARALLEL_FROM` files), the files are marked one
after the other in this process. On a shared machine, separate `check` runs over parts of the
class (README: marking a very large class) scale better.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any, Callable, Iterator, Sequence

PARALLEL_FROM = 200  # files
_MARK: Any = None  # the marking function the forked workers use


def mark_files(mark: Callable[[str], Any], paths: Sequence[str], workers: int = 1) -> Iterator[Any]:
    """`mark(path)` for each file, in order: in this process, or in `workers` processes for a large class."""
    global _MARK
    workers = min(workers, os.cpu_count() or 1) if len(paths) >= PARALLEL_FROM else 1
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
