"""Which time steps of a long sequence a worked calculation shows in full, and the line standing for the rest.

A person reads the first and the last few steps of a long sequence; the middle is one line that
says how to see it (`--steps 40-45`, or `--full`), as long vectors are elided to their first and
last entries. `--steps 3,7-9` chooses the steps shown instead.
"""

from __future__ import annotations

import re
from typing import NamedTuple

LONGEST_SHOWN = 12  # a sequence of more steps than this is elided by default…
EDGE = 3  # …to its first and last EDGE steps

_PART = re.compile(r"(\d+)(?:-(\d+))?", re.ASCII)


class StepChoice(NamedTuple):
    """The time steps to show in full: `asked` ranges (from --steps), or None for the default elision."""

    asked: tuple[tuple[int, int], ...] | None = None

    def shown(self, steps: int) -> frozenset[int] | None:
        """The steps of a sequence of `steps` shown in full; None when every one is."""
        if self.asked is None:
            if steps <= LONGEST_SHOWN:
                return None
            return frozenset(range(1, EDGE + 1)) | frozenset(range(steps - EDGE + 1, steps + 1))
        return frozenset(t for a, b in self.asked for t in range(a, min(b, steps) + 1))


def parse_steps(text: str, longest: int) -> StepChoice:
    """`7`, `40-45` or `3,7-9` as a StepChoice; ValueError saying what is wrong (syntax, order, range)."""
    ranges = []
    for part in text.replace(" ", "").split(","):
        m = _PART.fullmatch(part)
        if not m:
            raise ValueError(f"expected time steps such as 7, 40-45 or 3,7-9, got '{text}'")
        a, b = int(m.group(1)), int(m.group(2) or m.group(1))
        if a > b:
            raise ValueError(f"'{part}' runs backwards: write the smaller step first ({b}-{a})")
        if a < 1 or b > longest:
            raise ValueError(f"'{part}' is outside the time steps 1 to {longest} of this scenario")
        ranges.append((a, b))
    return StepChoice(tuple(ranges))


def hidden_run(t: int, shown: frozenset[int], steps: int) -> tuple[int, int]:
    """The run of consecutive steps not shown around step t: its first and last step."""
    before = [s for s in shown if s < t]
    after = [s for s in shown if s > t]
    return (max(before) + 1 if before else 1), (min(after) - 1 if after else steps)


def elision_text(a: int, b: int) -> str:
    """The line standing for the steps a to b: what is left out and how to see it."""
    if a == b:
        return f"… time step {a} not shown: --steps {a} or --full shows it"
    return f"… time steps {a}–{b} not shown ({b - a + 1:,}): --steps {a}-{b} or --full shows them"
