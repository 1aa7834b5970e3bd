"""Marking many answers files on every core: sheets are independent, so a large class is split
among worker processes, each holding the same checker (and trace), and the reports come back in
the order of the files.

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
from typing import Any, Iterator, Sequence

from bptt_trace.errors import InputError
from bptt_trace.marking.answers import load_answers

PARALLEL_FROM = 200  # files
_CHECKER: Any = None  # the checker the forked workers use


def mark_files(checker, paths: Sequence[str], workers: int = 1) -> Iterator[tuple[Any, str | None]]:
    """For each file in order: (its report, None), or (None, the message) when it cannot be read."""
    global _CHECKER
    workers = min(workers, os.cpu_count() or 1) if len(paths) >= PARALLEL_FROM else 1
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (_mark(checker, p) for p in paths)
        return
    _CHECKER = checker
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_mark_in_worker, paths, chunksize=max(1, min(32, len(paths) // (4 * workers))))
    finally:
        _CHECKER = None


def _mark_in_worker(path: str) -> tuple[Any, str | None]:
    return _mark(_CHECKER, path)


def _mark(checker, path: str) -> tuple[Any, str | None]:
    """One file's report, or the message saying why it cannot be marked."""
    try:
        return checker.check(load_answers(path)), None
    except InputError as exc:
        return None, exc.describe()
