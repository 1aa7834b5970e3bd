"""A class's marking in one view: per quantity how many got it wrong and how many had it as their
first mistake, a tally of misconceptions, and pairs of sheets identical in most of their answers.

Sheets are added one at a time, so a batch can be marked as it streams; each sheet's share of the
report (`share_of`) is small, so it can be worked out where the sheet is marked (a worker
process) and only that share kept: every sheet's answers are held as interned ids, not verdicts. Two sheets are flagged
as near-identical when they write the same text for at least SIMILAR of the answers both give
(at least MIN_SHARED of them) and share at least one identical answer that is not correct:
identical correct answers are expected of honest work, identical slips are not.
"""

from __future__ import annotations

import heapq
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from bptt_trace.marking.alike import near_pairs
from bptt_trace.marking.checker import Report
from bptt_trace.marking.quick import Pinned
from bptt_trace.marking.scoring import Score

SIMILAR = 0.9
MIN_SHARED = 5
MAX_PAIRS = 50
MAX_GROUP = 50


class Sheet(NamedTuple):
    """One answers file, marked (its report and score) or unreadable (with the reason)."""

    file: str
    student: str
    report: Report | None
    score: Score | None = None
    problem: str = ""
    copied: str = ""  # marked against per-student variants: why these answers look copied


class Share(NamedTuple):
    """What one marked sheet adds to the class report."""

    wrong: tuple  # (name, example) of each wrong answer, in order
    misconceptions: tuple  # each named misconception, in order
    first: tuple | None  # (name, example) of the first mistake
    keys: tuple  # (name, example) of each answer, as `_texts` gives them (a later one of a name wins)
    texts: tuple  # the text of each, as written
    slips: tuple  # (name, example, text) of each answer neither correct nor blank


def share_of(report: Report) -> Share:
    """One sheet's share of the class report."""
    verdicts = report.verdicts
    first = report.first_mistake
    texts = _texts(verdicts)
    return Share(tuple((v.name, v.answer.example) for v in verdicts if v.verdict == "wrong"),
                 tuple(v.misconception for v in verdicts if v.misconception),
                 None if first is None else (first.name, first.answer.example),
                 tuple(texts), tuple(texts.values()),
                 tuple((v.name or v.answer.name, v.answer.example, _shared_text(v.answer.entries)) for v in verdicts
                       if v.verdict not in ("correct", "unanswered")))


@dataclass
class ClassReport:
    """Counts over every marked sheet of a class."""

    sheets: int = 0
    unreadable: int = 0
    wrong: Counter = field(default_factory=Counter)  # (name, example) -> sheets with it wrong (also as a result)
    first: Counter = field(default_factory=Counter)  # (name, example) -> sheets with it as first mistake
    misconceptions: Counter = field(default_factory=Counter)
    _texts: list[tuple] = field(default_factory=list)  # each sheet's answers: (key sequence id, text ids)
    _labels: list[str] = field(default_factory=list)
    _slips: dict = field(default_factory=lambda: defaultdict(list))  # a non-correct answer -> sheets
    _ids: dict = field(default_factory=lambda: _Ids())  # a text -> its id
    _sequences: dict = field(default_factory=lambda: _Ids())  # a sheet's sequence of (name, example) -> its id

    def add(self, label: str, report: Report | None) -> None:
        """Count one sheet (None: unreadable); `report` may be a brief one carrying its `share`."""
        self.sheets += 1
        if report is None:
            self.unreadable += 1
            return
        share = getattr(report, "share", None) or share_of(report)
        for key in share.wrong:
            self.wrong[key] += 1
        for name in share.misconceptions:
            self.misconceptions[name] += 1
        if share.first is not None:
            self.first[share.first] += 1
        index = len(self._texts)
        self._texts.append((self._sequences[share.keys], array("q", map(self._ids.__getitem__, share.texts))))
        self._labels.append(label)
        for key in share.slips:
            self._slips[key].append(index)

    def similar(self) -> list[tuple[str, str, float]]:
        """(sheet, sheet, share of identical answers) for near-identical pairs, most alike first."""
        groups = [sheets for sheets in self._slips.values() if len(sheets) <= MAX_GROUP]  # a common slip proves nothing
        blank = self._ids.get("~", -1)
        keys = {n: k for k, n in self._sequences.items()}
        near = near_pairs(groups, self._texts, blank, lambda a, b: _alike(a, b, blank, keys), MIN_SHARED, SIMILAR)
        labels = self._labels
        best = heapq.nsmallest(MAX_PAIRS, near, key=lambda p: (-p[2], labels[p[0]], labels[p[1]]))  # sorted, cut
        return [(labels[i], labels[j], share) for i, j, share in best]


class _Ids(dict):
    """Ids handed out in order of first sight."""

    def __missing__(self, key: Any) -> int:
        self[key] = len(self)
        return self[key]


def _alike(a: tuple, b: tuple, blank: int, keys: dict) -> tuple[int, int]:
    """(answers both sheets give, the first not blank; how many of them are written the same)."""
    if a[0] == b[0]:  # the same names in the same order, as most sheets of a class
        x, y = np.frombuffer(a[1], dtype=np.int64), np.frombuffer(b[1], dtype=np.int64)
        mask = x != blank
        return int(mask.sum()), int((x == y)[mask].sum())
    ta, tb = dict(zip(keys[a[0]], a[1])), dict(zip(keys[b[0]], b[1]))
    both = [k for k in ta if k in tb and ta[k] != blank]
    return len(both), sum(ta[k] == tb[k] for k in both)


def _texts(verdicts: list) -> dict:
    """Each answer's text as written, by (name, example)."""
    return {(v.name or v.answer.name, v.answer.example): _shared_text(v.answer.entries) for v in verdicts}


_TEXTS = Pinned(50_000)  # entries a class's sheets share (`marking.answers_fast`) -> their text


def _shared_text(entries: Any) -> str:
    """`_text`, worked out once for entries many sheets share."""
    text = _TEXTS.get(entries)
    if text is None:
        text = _text(entries)
        _TEXTS.put(entries, text)
    return text


def _text(entries: Any) -> str:
    if isinstance(entries, list):
        return "[" + ",".join(_text(e) for e in entries) + "]"
    return entries if isinstance(entries, str) else entries.text.strip()


def shared_rows(counts: ClassReport) -> list[tuple[str, int | None, int, int]]:
    """(name, example, wrong, first mistake) for every quantity someone got wrong, most often wrong first."""
    keys = set(counts.wrong) | set(counts.first)
    rows = [(n, e, counts.wrong[(n, e)], counts.first[(n, e)]) for n, e in keys]
    return sorted(rows, key=lambda r: (-r[2], -r[3], str(r[0]), r[1] or 0))

