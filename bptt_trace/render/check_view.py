"""The homework checker's report as worksheet blocks (terminal, Markdown), JSON and CSV.

Expected values are shown at the student's own precision (the decimals they wrote), names as
in the table (the scenario's notation), the given value as the student wrote it.
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np

from bptt_trace.marking.checker import MISCONCEPTIONS, Report, Verdict
from bptt_trace.marking.classroom import ClassReport, Sheet
from bptt_trace.marking.scoring import plain
from bptt_trace.render.blocks import Heading, Para, Prose, Table, cell
from bptt_trace.render.json_out import to_jsonable
from bptt_trace.render.numfmt import NumberFormat
from bptt_trace.render.safe_text import csv_writer, json_text
from bptt_trace.render.worksheet import Blocks, Worksheet

VERDICT_WORDS = {"correct": "correct", "carried_forward": "carried forward", "imprecise": "imprecise",
                 "wrong": "WRONG", "unknown": "unknown", "malformed": "malformed", "unanswered": "left blank"}
UNDEFINED = "your own earlier numbers leave it undefined (a logarithm of 0 or less, say)"
COUNTED = ("correct", "carried_forward", "imprecise", "wrong", "malformed", "unknown", "unanswered")


class CheckWorksheet(Worksheet):
    """Shares the worksheet's number format, labels and op handlers (for the worked first mistake)."""

    asked: int | None = None  # decimals the assignment asks for, for the imprecise note

    def build_report(self, report: Report, sheet: Sheet | None = None) -> Blocks:
        """A table of every answer, the summary and score, every mistake, the first one worked out."""
        sub = report.submission
        yield Heading(1, cell(Prose(f"Answers of {sub.student} ({sub.file})")))
        rows = [[cell(self.written_name(v)), cell(Prose(_written(v.answer.entries))),
                 cell(self.shown(v.expected, self.at(v))), cell(Prose(VERDICT_WORDS[v.verdict])),
                 cell(Prose(self.note(v)))] for v in report.verdicts]
        yield Table(None, [cell(Prose(h)) for h in ("name", "given", "expected", "verdict", "note")], rows,
                    left=(0, 1, 2, 3, 4), stack=4)
        score = f"; score {plain(sheet.score.points)} of {plain(sheet.score.maximum)} ({sheet.score.percent:.0f}%)" \
            if sheet is not None and sheet.score is not None else ""
        yield Para(cell(Prose(summary_line(report) + score)))
        v = report.first_mistake
        if v is not None:
            yield Para(cell(Prose("first mistake: " + self.mistake(v) + " Worked with your numbers:")))
            for step in v.replay:
                yield from self.step(step)
        for i, v in enumerate(report.mistakes[1:], 2):
            yield Para(cell(Prose(f"mistake {i} of {len(report.mistakes)}: " + self.mistake(v))))

    def mistake(self, v: Verdict) -> str:
        """`loss (example 1), entry 2: you wrote 0.377; from your own earlier numbers it is 0.378.`"""
        entry = f", entry {_entry(v.off[0])}" if v.off and v.off[0] else ""
        looks = f" It looks like {MISCONCEPTIONS[v.misconception]}." if v.misconception else ""
        value = _at(v.recomputed, v.off)
        if not _finite_value(value):
            return f"{self.written_name(v)}{entry}: you wrote {_pick(v)}; {UNDEFINED}.{looks}"
        return (f"{self.written_name(v)}{entry}: you wrote {_pick(v)}; from your own earlier numbers it is "
                f"{self.shown(value, self.at(v))}.{looks}")

    def written_name(self, v: Verdict) -> str:
        """The answer's name as in the table (the notation), with its example: `h_2 (example 1)`."""
        where = {"total": " (total)", "updated": ""}.get(v.answer.section, f" (example {v.answer.example})")
        return (self.label(v.name) if v.name else v.answer.name) + where

    def at(self, v: Verdict) -> NumberFormat:
        """The number format at the student's own precision (the decimals they wrote, at least those asked)."""
        if v.decimals is None:
            return self.fmt
        return NumberFormat(min(max(v.decimals, self.asked or 0), 15), self.fmt.digits)

    def shown(self, value: Any, fmt: NumberFormat | None = None) -> str:
        """A number, vector or matrix as `0.5`, `[0.1, 0.2]` or `[[0.1, 0.2]]`."""
        if value is None:
            return ""
        if np.ndim(value) == 0:
            return (fmt or self.fmt)(value)
        return "[" + ", ".join(self.shown(v, fmt) for v in value) + "]"

    def note(self, v: Verdict) -> str:
        """The note column: what is off, the value from the student's numbers, the misconception."""
        blank = f"; entries {', '.join(_entry(i) for i in v.blank)} left blank" if v.blank else ""
        if v.verdict == "unknown":
            if v.problem:
                return v.problem
            return f"not a quantity of this scenario; did you mean {', '.join(v.suggestions)}?" if v.suggestions \
                else "not a quantity of this scenario"
        if v.verdict == "malformed":
            return v.problem + (f"; looks like {MISCONCEPTIONS[v.misconception]}" if v.misconception else "")
        if v.verdict == "carried_forward":
            return f"right method on your earlier numbers: {self.shown(v.recomputed, self.at(v))}" + blank
        if v.verdict == "imprecise":
            asked = f"{self.asked} decimals are asked" if self.asked is not None else "more decimals are asked"
            return f"right only to the decimals written; {asked}" + blank
        if v.verdict == "wrong" and v.follows:
            return v.problem + blank
        if v.verdict == "wrong":
            entries = ", ".join(_entry(i) if len(i) == 1 else f"({_entry(i)})" for i in v.off if i) or "the value"
            worked = f"from your earlier numbers: {self.shown(v.recomputed, self.at(v))}" \
                if _finite_value(v.recomputed) else UNDEFINED
            text = f"off at {entries}; {worked}"
            return text + (f"; looks like {MISCONCEPTIONS[v.misconception]}" if v.misconception else "") + blank
        return blank.lstrip("; ")


def summary_line(report: Report) -> str:
    """`7 of 12 correct, 1 carried forward, 3 wrong, 1 unknown`."""
    c = report.counts
    marked = sum(c[k] for k in ("correct", "carried_forward", "imprecise", "wrong", "malformed"))
    parts = [f"{c['correct']} of {marked} correct"] + [f"{c[k]} {VERDICT_WORDS[k].lower()}" for k in
                                                       COUNTED[1:] if c[k]]
    return ", ".join(parts)


def batch_blocks(sheets: list[Sheet], label=str) -> Blocks:
    """One row per student: score, counts and first mistake (fits 80 columns); names shown by `label`."""
    heads = ("student", "score", "%", "ok", "cf", "wrong", "other", "first mistake")  # 80 columns
    rows = []
    for s in sheets:
        if s.report is None:
            rows.append([cell(Prose(_short(s.student, 12))), *(cell("") for _ in range(6)),
                         cell(Prose("unreadable: see below"))])
            continue
        c, first = s.report.counts, s.report.first_mistake
        rows.append([cell(Prose(_short(s.student, 12))), cell(f"{plain(s.score.points)}/{plain(s.score.maximum)}"),
                     cell(f"{s.score.percent:.0f}"),
                     *(cell(str(c[k])) for k in ("correct", "carried_forward", "wrong")),
                     cell(str(c["imprecise"] + c["malformed"])),
                     cell(Prose(_short(_where(first, "ex ", label), 18) if first else ""))])
    yield Heading(1, cell(Prose(f"{len(sheets)} submissions")))
    yield Table(None, [cell(Prose(h)) for h in heads], rows, left=(0, 7))
    yield Para(cell(Prose("ok: correct; cf: carried forward; other: imprecise or malformed")))
    for s in sheets:
        if s.report is None:
            yield Para(cell(Prose(f"unreadable: {s.problem}")))


def sheet_json(s: Sheet, sheet: CheckWorksheet) -> dict:
    """One sheet as JSON: status, score, every answer, summary with every mistake (or the reason unreadable)."""
    from bptt_trace.render.terminal import TerminalWriter
    if s.report is None:
        return {"file": s.file, "student": s.student, "status": "unreadable", "problem": s.problem,
                "score": None, "answers": [], "summary": None, **_copied(s)}

    def worked(v: Verdict) -> list[str]:
        return [line.text for step in v.replay for line in TerminalWriter(200).write(sheet.step(step))] \
            if v.verdict == "wrong" else []
    r = s.report
    mistakes = [{"name": v.name, "example": v.answer.example, "entries": [list(i) for i in v.off],
                 "misconception": v.misconception} for v in r.mistakes]
    return {"file": s.file, "student": s.student, "status": "marked", "problem": "", **_copied(s),
            "score": {"points": plain(s.score.points), "maximum": plain(s.score.maximum),
                      "percent": round(s.score.percent, 2)},
            "answers": [{"name": v.name or v.answer.name, "written": v.answer.name, "example": v.answer.example,
                         "verdict": v.verdict, "given": _plain(v.given), "expected": _plain(v.expected),
                         "recomputed": _plain(v.recomputed), "note": sheet.note(v), "off": [list(i) for i in v.off],
                         "blank": [list(i) for i in v.blank], "misconception": v.misconception, "follows": v.follows,
                         "suggestions": list(v.suggestions), "problem": v.problem, "worked": worked(v),
                         "line": v.answer.line} for v in r.verdicts],
            "summary": {**r.counts, "first_mistake": mistakes[0] if mistakes else None, "mistakes": mistakes}}



def _copied(s: Sheet) -> dict:
    """Marked against per-student variants: whether the answers look copied, and why."""
    return {"copied": s.copied} if s.copied else {}

def report_json(sheets: list[Sheet], sheet: CheckWorksheet, klass: ClassReport, scenario: str) -> str:
    """`{"scenario", "sheets": [...], "class": {...}}`, the same shape for one file or many."""
    parts = [json_head(scenario)] + [json_item(i, sheet_json_text(s, sheet)) for i, s in enumerate(sheets)]
    return "".join(parts + [json_tail(klass, bool(sheets))])


# The report's JSON in pieces, so that a large class streams out sheet by sheet: together they are,
# byte for byte, `json.dumps({"scenario", "sheets", "class"}, indent=2)` (as json_text) and a newline.
def json_head(scenario: str) -> str:
    """The document up to its first sheet."""
    return json_text('{\n  "scenario": ' + json.dumps(scenario) + ',\n  "sheets": [')


def sheet_json_text(s: Sheet, sheet: CheckWorksheet) -> str:
    """One sheet's JSON, indented as an item of the document's sheets."""
    return json_text(json.dumps(sheet_json(s, sheet), indent=2, allow_nan=False).replace("\n", "\n    "))


def json_item(index: int, text: str) -> str:
    """The sheet numbered `index` (from 0) in its place in the list."""
    return ("\n    " if index == 0 else ",\n    ") + text


def json_tail(klass: ClassReport, any_sheets: bool = True) -> str:
    """The document after its last sheet: the class report."""
    from bptt_trace.render.class_view import class_json
    body = json.dumps(class_json(klass), indent=2, allow_nan=False).replace("\n", "\n  ")
    return json_text(("\n  ]" if any_sheets else "]") + ',\n  "class": ' + body + "\n}") + "\n"


def report_csv(sheets: list[Sheet]) -> str:
    """One row per student, for a gradebook."""
    out = io.StringIO()
    w = csv_writer(out)  # formula cells (=, +, -, @ ...) neutralised
    w.writerow(["student", "file", "status", "score", "maximum", "percent", *COUNTED, "first_mistake", "mistakes",
                "problem", "copied"])
    for s in sheets:
        if s.report is None:
            w.writerow([s.student, s.file, "unreadable", "", "", "", *([""] * len(COUNTED)), "", "", s.problem,
                        s.copied])
            continue
        r = s.report
        w.writerow([s.student, s.file, "marked", plain(s.score.points), plain(s.score.maximum),
                    f"{s.score.percent:.1f}", *(r.counts[k] for k in COUNTED),
                    r.first_mistake.name if r.first_mistake else "", "; ".join(_where(v) for v in r.mistakes), "",
                    s.copied])
    return out.getvalue()


def _where(v: Verdict, example: str = "example ", label=str) -> str:
    """`h[2] (example 1)`, `dL/dW_hh`, `W_hh_new`."""
    return label(v.name) + ("" if v.answer.example is None else f" ({example}{v.answer.example})")


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def _plain(value: Any) -> Any:
    """A value as JSON data; a value that cannot be computed from the student's numbers (ln of 0) as null."""
    if value is None:
        return None
    return _finite(to_jsonable(np.asarray(value, dtype=object) if np.ndim(value) else value))


def _finite_value(value: Any) -> bool:
    """Whether every entry of a value is a finite number."""
    try:
        return bool(np.isfinite(np.asarray(value, dtype=float)).all())
    except (TypeError, ValueError):
        return True


def _finite(x: Any) -> Any:
    if isinstance(x, list):
        return [_finite(v) for v in x]
    return None if isinstance(x, float) and not np.isfinite(x) else x


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
