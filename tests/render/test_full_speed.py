"""The shortcuts behind a fast `--full`: each gives what the plain route gives."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from bptt_trace.record.fixed import Fixed, RunningTotals, to_decimals
from bptt_trace.render import terminal
from bptt_trace.render.blocks import Math, Table, Value, cell
from bptt_trace.render.cells import Cells, signed, signed_values
from bptt_trace.render.layout import table, too_wide
from bptt_trace.render.sums import _walked, running_totals
from bptt_trace.render.terminal import TerminalWriter
from bptt_trace.record.steps import Step


def _parts(n: int) -> list[Fixed]:
    rng = np.random.default_rng(3)
    rows = rng.choice([0.0, -0.0, 1.0, -1.0, 2.0, -3.0], size=(n, 2, 3))
    return [Fixed(r, 3) for r in rows]


def test_every_running_total_walked_at_once_is_the_one_found_alone():
    parts = _parts(40)
    sums = np.cumsum([p.m for p in parts], axis=0)
    for total in (None, Fixed(sums[-1], 3)):
        alone, walked = RunningTotals(parts, total, 3), RunningTotals(parts, total, 3)
        wanted = list(range(40))
        got = _walked(walked, wanted)
        assert list(got) == wanted
        for k in wanted:  # the same Decimals, signs of zero and exponents included
            assert [str(d) for d in got[k]] == [str(d) for d in alone[k]], k
        assert [str(d) for d in got[5]] == [str(d) for d in to_decimals(sums[5], 3)]


def test_running_totals_of_a_hand_step_walk_when_many_are_asked(monkeypatch):
    parts = _parts(30)
    calls = []
    monkeypatch.setattr("bptt_trace.render.sums._walked", lambda t, w: calls.append(len(w)) or {k: t[k] for k in w})

    class Hand(Step):
        def partial_sums(self):
            return RunningTotals(parts, None, 3)
    step = Hand("sum", "gradients", 1, None, "dL/dW", tuple(f"dL/dW[{t}]" for t in range(30, 0, -1)), (), None)
    running_totals(step, [0, 1, 29])
    assert calls == []  # a few: each on its own
    running_totals(step, list(range(30)))
    assert calls == [30]


def test_a_row_of_values_is_the_values_made_one_by_one():
    cells = Cells()
    step = Step("matvec", "forward", 1, 2, "z[2]", ("W_hh", "h[1]"), (np.zeros((2, 2)), np.zeros(2)), np.zeros(2))
    xs = [Decimal("0.123456"), Decimal("-0.5"), 0.25, -1e-9, np.float64(-0.0), Decimal("-0.000")]
    assert cells.derived_row(xs, step, 1) == [cells.derived(x, step, 1) for x in xs]
    indices = [(k,) for k in range(len(xs))]
    assert cells.value_row(xs, step, indices, 1) == [cells.value(x, step, index=i, extra=1) for x, i in zip(xs, indices)]
    assert cells.operands(xs, step, 1, indices, term=True) == [cells.operand(x, step, 1, i, term=True)
                                                               for x, i in zip(xs, indices)]
    assert cells.signed_row(xs, step, 1) == signed_values(cells.derived_row(xs, step, 1)) == signed(cells.derived_row(xs, step, 1))
    assert cells.signed_row([], step) == [] and [v.text for v in cells.signed_row(xs[1:2], step)] == ["-0.5"]
    row = cells.derived_row(xs, step, 1) + [Math("…")]
    assert signed_values(row) == signed(row) and signed_values(row)[2] == Value("0.5", sources=row[1].sources)


def _lines(writer: TerminalWriter, block: Table) -> list:
    return [tuple(line) for line in writer.table(block)]


def test_a_table_too_wide_for_any_layout_is_laid_out_as_the_layouts_would(monkeypatch):
    wide = "(-0.123)×0.456 + " * 12 + "1"
    rows = [[cell(str(i)), cell(wide[: 40 + 9 * i]), cell("= 0.5 + -0.25 " * i), cell(f"= {i}")] for i in range(1, 8)]
    seen = 0
    for width in (30, 60, 80, 100, 140, 200):
        for stack in (None, 1, 2, 3):
            block = Table(cell("title " * 30), [cell("i"), cell("products"), cell(""), cell("sum")], rows, (1, 2), stack)
            writer = TerminalWriter(width)
            fast = _lines(writer, block)
            with monkeypatch.context() as m:
                m.setattr(terminal, "too_wide", lambda *a: False)
                assert fast == _lines(writer, block), (width, stack)
            seen += too_wide([writer.text(h) for h in block.headers], [[writer.text(c) for c in r] for r in rows], width)
    assert seen > 4


def test_too_wide_is_only_said_of_a_cell_no_table_can_hold():
    headers, rows = ["i", "a", "b"], [["1", "x" * 20, "y"], ["22", "x  ", "y" * 5]]
    assert max(len(line.text) for line in table("", headers, rows, (), 10**6)[2:]) == 1 + 2 + 3 + 20 + 3 + 5
    assert too_wide(headers, rows, 25) and not too_wide(headers, rows, 26)  # " " + "22" + "   " + 20 x: 26
    assert max(len(line.text) for line in table("", headers[:2], [r[:2] for r in rows])[2:]) == 26
    assert not too_wide(["i"], [["1" * 99]], 10) and not too_wide(["i", "a"], [["1", "x    "]], 8)


def _padded(cells: list[str], widths: list[int], left: tuple) -> str:
    """A row as `layout.table` padded it before: cell by cell."""
    return " " + "   ".join([(c.ljust(w) if i in left else c.rjust(w)) for i, (c, w) in enumerate(zip(cells, widths))]).rstrip()


def test_a_table_row_padded_by_one_format_is_the_row_padded_cell_by_cell():
    headers = ["h", "wide header", "", "z"]
    rows = [["1", "ab", "", "  "], ["22", "c", "%s", "{}"], ["3", "", "", ""], ["4", "x"], ["", "", "", ""]]
    got = table("t", headers, rows, (1, 3), 80)
    widths = [2, 11]  # the fourth row has two cells: the columns are the two every row has
    assert [line.text for line in got[1:]] == [_padded(headers, widths, (1, 3)), "─" * 18] + [
        _padded(r, widths, (1, 3)) for r in rows]
    full = table("", headers, rows[:3], (1, 3))
    assert [line.text for line in full[2:]] == [_padded(r, [2, 11, 2, 2], (1, 3)) for r in rows[:3]]
    assert full[2].text == "  1   ab" and full[3].text == " 22   c             %s   {}"
    assert table("", ["a"], [[""]])[2].text == " "


def test_a_printable_line_is_already_visible():
    """`printing` skips `visible` for a printable line: no character `visible` escapes is printable."""
    from bptt_trace.render.safe_text import _UNSAFE, visible
    escaped = [chr(c) for c in range(0x110000) if _UNSAFE.match(chr(c))]
    assert len(escaped) > 100_000 and not any(ch.isprintable() for ch in escaped)
    line = "δz_6 = δh_6 ⊙ f′(z_6) × 0.5 ─ …"
    assert line.isprintable() and visible(line) == line
