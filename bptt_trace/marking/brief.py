"""A marked sheet cut down to what a class table, a gradebook row and the class report read.

A worker process sends back a brief sheet instead of the full report (the verdicts, their
worked steps and arrays): a few hundred bytes instead of about 50 kB, and the main process
holds no sheet's verdicts. The brief one answers the same questions (`counts`, `first_mistake`,
`mistakes`, `has_wrong`, each mistake's `name` and `answer.example`) with the same values.
"""

from __future__ import annotations

from typing import NamedTuple

from bptt_trace.marking.checker import MISTAKES
from bptt_trace.marking.classroom import Share, Sheet, share_of


class BriefAnswer(NamedTuple):
    """Where a mistake stands: the name as written, its example and section."""

    name: str
    example: int | None
    section: str


class BriefVerdict(NamedTuple):
    """One mistake: its canonical name, verdict, misconception and place."""

    name: str | None
    verdict: str
    misconception: str | None
    answer: BriefAnswer


class BriefSubmission(NamedTuple):
    """The file and the student."""

    file: str
    student: str


class Brief(NamedTuple):
    """A report cut down: counts, every independent mistake, the class report's share, the sheet's JSON."""

    submission: BriefSubmission
    counts: dict
    first_mistake: BriefVerdict | None
    mistakes: tuple
    share: Share
    json: str = ""  # the sheet as JSON text, when the output is JSON

    @property
    def has_wrong(self) -> bool:
        """Whether anything is wrong, imprecise or malformed (the sheet is not fully correct)."""
        return any(self.counts.get(k, 0) for k in MISTAKES)


def brief(sheet: Sheet, json: str = "") -> Sheet:
    """The sheet with its report cut down (an unreadable sheet as it is)."""
    r = sheet.report
    if r is None:
        return sheet
    mistakes = tuple(_verdict(v) for v in r.mistakes)
    first = None if r.first_mistake is None else _verdict(r.first_mistake)
    report = Brief(BriefSubmission(r.submission.file, r.submission.student), dict(r.counts), first, mistakes,
                   share_of(r), json)
    return sheet._replace(report=report)


def _verdict(v) -> BriefVerdict:
    a = v.answer
    return BriefVerdict(v.name, v.verdict, v.misconception, BriefAnswer(a.name, a.example, a.section))
