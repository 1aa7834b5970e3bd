"""The class report: per quantity how many got it wrong and how many had it as their first mistake,
the misconceptions tallied, near-identical sheets; as blocks (fitting 80 columns) and as JSON."""

from __future__ import annotations

from bptt_trace.marking.classroom import ClassReport, shared_rows
from bptt_trace.marking.misconceptions import MISCONCEPTIONS
from bptt_trace.render.blocks import Heading, Para, Prose, Table, cell
from bptt_trace.render.worksheet import Blocks

MAX_ROWS = 20


def class_blocks(klass: ClassReport, label=str) -> Blocks:
    """The class report; `label` shows a canonical name in the scenario's notation."""
    yield Heading(1, cell(Prose(f"Class report: {klass.sheets} sheets"
                                + (f", {klass.unreadable} unreadable" if klass.unreadable else ""))))
    rows = shared_rows(klass)
    if rows:
        marked = max(klass.sheets - klass.unreadable, 1)
        shown = [[cell(Prose(_short(label(n) + ("" if e is None else f" (ex {e})"), 40))),
                  cell(Prose(f"{w} ({w / marked:.0%})")), cell(str(f))] for n, e, w, f in rows[:MAX_ROWS]]
        yield Table(None, [cell(Prose(h)) for h in ("quantity", "wrong", "first mistake")], shown, left=(0,))
        if len(rows) > MAX_ROWS:
            yield Para(cell(Prose(f"… and {len(rows) - MAX_ROWS} more quantities (all in the JSON output)")))
    else:
        yield Para(cell(Prose("No quantity was wrong on any sheet.")))
    if klass.misconceptions:
        tally = [[cell(Prose(k)), cell(str(n))] for k, n in klass.misconceptions.most_common()]
        yield Table(None, [cell(Prose("misconception")), cell(Prose("answers"))], tally, left=(0,))
    for a, b, share in klass.similar():
        yield Para(cell(Prose(f"near-identical: {a} and {b} ({share:.0%} of their answers the same, "
                              "a slip among them)")))


def class_json(klass: ClassReport) -> dict:
    """The class report as plain data."""
    return {"sheets": klass.sheets, "unreadable": klass.unreadable,
            "quantities": [{"name": n, "example": e, "wrong": w, "first_mistake": f,
                            "wrong_share": round(w / max(klass.sheets - klass.unreadable, 1), 4)}
                           for n, e, w, f in shared_rows(klass)],
            "misconceptions": [{"misconception": k, "answers": n, "meaning": MISCONCEPTIONS.get(k, "")}
                               for k, n in klass.misconceptions.most_common()],
            "near_identical": [{"sheets": [a, b], "same": round(share, 3)} for a, b, share in klass.similar()]}


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"
