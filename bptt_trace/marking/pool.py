"""Marking many answers files on every core: sheets are independent, so a large class is split
among worker processes, each holding the same marking function (and its checker and trace), and
the results come back in the order of the files.

Workers are forked, so the checker is shared without being copied or pickled. What comes back is
kept small: the caller's marking function cuts each sheet down (`marking.brief`: counts, mistakes,
the class report's share, the sheet's JSON text) unless the full report is needed (one sheet,
Markdown, feedback files), so sending it back costs little. By default (`workers` None) a class
of at least `PARALLEL_FROM` files is marked on every core, a smaller one in this process;
`workers=1` (`check --jobs 1`) forces one process, `workers=N` asks for N. Where fork is not
available the files are marked one after the other in this process. The results are the same
whatever the number of workers.
"""

from __future__ import annotations

import multiprocessing
from typing import Any, Callable, Iterator, Sequence

from bptt_trace.cores import usable_cores

PARALLEL_FROM = 200  # files
_MARK: Any = None  # the marking function the forked workers use


def mark_files(mark: Callable[[str], Any], paths: Sequence[str], workers: int | None = None) -> Iterator[Any]:
    """`mark(path)` for each file, in order: in this process, or in worker processes for a large class
    (every core when `workers` is None)."""
    global _MARK
    cores = usable_cores()
    workers = cores if workers is None else min(workers, cores)
    workers = workers if len(paths) >= PARALLEL_FROM else 1
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
