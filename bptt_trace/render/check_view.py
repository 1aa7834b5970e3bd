"""The homework checker's report as worksheet blocks (terminal, Markdown), JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import numpy as np

from bptt_trace.marking.checker import MISCONCEPTIONS, Report, Verdict
from bptt_trace.render.blocks import Heading, Para, Prose, Table, cell
from bptt_trace.render.json_out import to_jsonable
from bptt_trace.render.worksheet import Blocks, Worksheet

VERDICT_WORDS = {"correct": "correct", "carried_forward": "carried forward", "wrong": "WRONG", "unknown": "unknown",
                 "malformed": "malformed", "unanswered": "left blank"}


class CheckWorksheet(Worksheet):
    """Shares the worksheet's number format, labels and op handlers (for the worked first mistake)."""

    def build_report(self, report: Report) -> Blocks:
        """A table of every answer, the summary, then the first mistake worked with the student's numbers."""
        sub = report.submission
        yield Heading(1, cell(Prose(f"Answers of {sub.student} ({sub.file})")))
        rows = [[cell(self.written_name(v)), cell(Prose(_written(v.answer.entries))),
                 cell(self.shown(v.expected)), cell(Prose(VERDICT_WORDS[v.verdict])), cell(Prose(self.note(v)))]
                for v in report.verdicts]
        yield Table(None, [cell(Prose(h)) for h in ("name", "given", "expected", "verdict", "note")], rows,
                    left=(0, 1, 2, 3, 4), stack=4)
        yield Para(cell(Prose(summary_line(report))))
        v = report.first_mistake
        if v is not None:
            entry = f", entry {_entry(v.off[0])}" if v.off and v.off[0] else ""
            yield Para(cell(Prose(f"first mistake: {v.answer.name}{entry}: you wrote "
                                  f"{_pick(v)}; from your own earlier numbers it is "),
                            self.shown(_at(v.recomputed, v.off)), Prose(". Worked with your numbers:")))
            for step in v.replay:
                yield from self.step(step)

    def written_name(self, v: Verdict) -> str:
        where = {"total": " (total)", "updated": ""}.get(v.answer.section, f" (example {v.answer.example})")
        return (self.label(v.name) if v.name else v.answer.name) + where

    def shown(self, value: Any) -> str:
        """A number, vector or matrix as `0.5`, `[0.1, 0.2]` or `[[0.1, 0.2]]`."""
        if value is None:
            return ""
        if np.ndim(value) == 0:
            return self.fmt(value)
        return "[" + ", ".join(self.shown(v) for v in value) + "]"

    def note(self, v: Verdict) -> str:
        if v.verdict == "unknown":
            if v.problem:
                return v.problem
            return f"not a quantity of this scenario; did you mean {', '.join(v.suggestions)}?" if v.suggestions \
                else "not a quantity of this scenario"
        if v.verdict == "malformed":
            return v.problem
        if v.verdict == "carried_forward":
            return f"right method on your earlier numbers: {self.shown(v.recomputed)}"
        if v.verdict == "wrong":
            entries = ", ".join(_entry(i) if len(i) == 1 else f"({_entry(i)})" for i in v.off if i) or "the value"
            text = f"off at {entries}; from your earlier numbers: {self.shown(v.recomputed)}"
            return text + (f"; looks like {MISCONCEPTIONS[v.misconception]}" if v.misconception else "")
        return ""


def summary_line(report: Report) -> str:
    """`7 of 12 correct, 1 carried forward, 3 wrong, 1 unknown`."""
    c = report.counts
    marked = sum(c[k] for k in ("correct", "carried_forward", "wrong", "malformed"))
    parts = [f"{c['correct']} of {marked} correct"] + [f"{c[k]} {VERDICT_WORDS[k].lower()}" for k in
                                                       ("carried_forward", "wrong", "malformed", "unknown", "unanswered") if c[k]]
    return ", ".join(parts)


def batch_blocks(reports: list[Report]) -> Blocks:
    """One row per student: counts and first mistake."""
    heads = ("student", "file", "correct", "carried forward", "wrong", "malformed", "unknown", "first mistake")
    rows = [[cell(Prose(r.submission.student)), cell(Prose(r.submission.file)),
             *(cell(str(r.counts[k])) for k in ("correct", "carried_forward", "wrong", "malformed", "unknown")),
             cell(Prose(r.first_mistake.answer.name if r.first_mistake else ""))] for r in reports]
    yield Heading(1, cell(Prose(f"{len(reports)} submissions")))
    yield Table(None, [cell(Prose(h)) for h in heads], rows, left=(0, 1, 7))


def report_json(reports: list[Report], sheet: CheckWorksheet) -> str:
    """`{"answers": [...], "summary": {...}}` for one file; a list of those for several.

    A wrong answer's `worked` holds its step redone with the student's numbers, as the terminal shows it.
    """
    from bptt_trace.render.terminal import TerminalWriter

    def worked(v: Verdict) -> list[str]:
        return [line.text for step in v.replay for line in TerminalWriter(200).write(sheet.step(step))] \
            if v.verdict == "wrong" else []
    docs = [{"file": r.submission.file, "student": r.submission.student,
             "answers": [{"name": v.name or v.answer.name, "written": v.answer.name, "example": v.answer.example,
                          "verdict": v.verdict, "given": _plain(v.given), "expected": _plain(v.expected),
                          "recomputed": _plain(v.recomputed), "note": sheet.note(v), "off": [list(i) for i in v.off],
                          "misconception": v.misconception, "suggestions": list(v.suggestions), "problem": v.problem,
                          "worked": worked(v), "line": v.answer.line} for v in r.verdicts],
             "summary": {**r.counts, "first_mistake": None if r.first_mistake is None else
                         {"name": r.first_mistake.name, "example": r.first_mistake.answer.example,
                          "entries": [list(i) for i in r.first_mistake.off]}}} for r in reports]
    return json.dumps(docs[0] if len(docs) == 1 else docs, indent=2, allow_nan=False) + "\n"


def report_csv(reports: list[Report]) -> str:
    """One row per student, for a gradebook."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["student", "file", "correct", "carried_forward", "wrong", "malformed", "unknown", "unanswered",
                "first_mistake"])
    for r in reports:
        w.writerow([r.submission.student, r.submission.file, *(r.counts[k] for k in
                    ("correct", "carried_forward", "wrong", "malformed", "unknown", "unanswered")),
                    r.first_mistake.name if r.first_mistake else ""])
    return out.getvalue()


def _plain(value: Any) -> Any:
    return None if value is None else to_jsonable(np.asarray(value, dtype=object) if np.ndim(value) else value)


def _written(entries: Any) -> str:
    if isinstance(entries, list):
        return "[" + ", ".join(_written(e) for e in entries) + "]"
    return entries if isinstance(entries, str) else entries.text


def _entry(index: tuple) -> str:
    return ",".join(str(i + 1) for i in index)


def _at(value: Any, off: tuple) -> Any:
    return np.asarray(value, dtype=object)[off[0]] if off and off[0] else value


def _pick(v: Verdict) -> str:
    """The text of the first entry that is off, as the student wrote it."""
    return str(np.asarray(v.texts, dtype=object)[v.off[0]]) if v.off and v.off[0] else _written(v.answer.entries)
