"""`print_lines` writes a long output a chunk of lines at a time: the same bytes as one write of every line,
plain and in colour, a line with controls escaped wherever it falls, and no collection while it lays out."""

from __future__ import annotations

import gc
import random

import pytest

from bptt_trace import printing
from bptt_trace.render.blocks import Heading, Para, Prose, cell
from bptt_trace.render.safe_text import visible
from bptt_trace.render.terminal import TerminalWriter


def blocks(seed: int, count: int) -> list:
    """Headings and paragraphs (some long enough to wrap, some with a control character or an escape)."""
    rng = random.Random(seed)
    words = ["h_1", "0.123", "-0.5", "tanh(", "δz", "\x1b[31m", "\u202e", "\n", "×", "a" * 30]
    out = []
    for k in range(count):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 40)))
        out.append(Heading(rng.choice([2, 3]), cell(Prose(text))) if k % 7 == 0 else Para(cell(Prose(text)), k % 3 == 0))
    return out


def whole(lines: list[tuple[str, str]], color: bool) -> str:
    """Every line in one write, as `print_lines` wrote them before it wrote in chunks."""
    lines = [(t if t.isprintable() else visible(t), s) for t, s in lines]
    if not color:
        return "\n".join(t for t, _ in lines) + "\n"
    codes = {s: printing.sgr_codes(s) for s in {s for _, s in lines}}
    return "".join(f"\x1b[{codes[s]}m{t}\x1b[0m\n" if s else t + "\n" for t, s in lines)


@pytest.mark.parametrize("color", [False, True])
@pytest.mark.parametrize("chunk", [1, 3, 64, 10_000])
def test_lines_written_in_chunks_are_the_lines_written_at_once(capsys, monkeypatch, color, chunk):
    monkeypatch.setattr(printing, "CHUNK", chunk)
    made = blocks(chunk, 200)
    printing.print_lines(iter(made), color, 60)
    assert capsys.readouterr().out == whole(list(TerminalWriter(60).write(made)), color)


def test_the_collector_is_off_while_the_lines_are_laid_out_and_back_on_after(capsys):
    seen = []

    def watched():
        for b in blocks(1, 20):
            seen.append(gc.isenabled())
            yield b
    assert gc.isenabled()
    printing.print_lines(watched(), False, 80)
    assert seen and not any(seen) and gc.isenabled()
    assert capsys.readouterr().out


@pytest.mark.parametrize("color", [False, True])
def test_no_lines_print_what_one_write_of_none_printed(capsys, color):
    printing.print_lines(iter([]), color, 80)
    assert capsys.readouterr().out == whole([], color)
