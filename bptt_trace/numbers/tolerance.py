"""When a written number counts as equal to a computed one.

Default ("written"): the assignment asks for `asked` decimals (the scenario's `check.decimals`,
else the display decimals). A number written with d ≥ asked decimals is accepted within one
unit of the asked decimal, so more digits never loosen the tolerance and never tighten it
below that: 17 digits of a student's own float64 work pass. A number written with fewer
decimals is credited only when its missing digits are in fact right (0.5 for 0.5002); when it
is merely that number rounded or truncated to d decimals (0.3 for 0.281) it is `imprecise`.
With no asked decimals, d is the unit (the old rule). `abs=A`, `rel=R`, `sigfig=S`, `decimals=D`
set the tolerance explicitly. `key_unit` widens every tolerance to one unit of a hand-rounded
answer key's last decimal. Comparisons are symmetric, as math.isclose.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

KINDS = ("abs", "rel", "sigfig", "decimals")
_SPEC = re.compile(rf"^({'|'.join(KINDS)})=([0-9.eE+-]+)$")
EXACT_REL = 1e-9  # for fractions and other forms with no decimals to count
FLOOR_ABS, FLOOR_REL = 1e-12, 1e-9  # below any written precision: float64 work of the student's own


@dataclass(frozen=True)
class Tolerance:
    """`kind` is "written" (the default) or one of KINDS with its `amount`."""

    kind: str = "written"
    amount: float = 0.0
    asked: int | None = None  # decimals the assignment asks for (written kind)
    key_unit: float = 0.0  # one unit of the last decimal of a hand-rounded key

    @classmethod
    def parse(cls, spec: str) -> "Tolerance":
        """`abs=0.001`, `rel=1e-3`, `sigfig=3`, `decimals=2`; ValueError saying what was expected."""
        m = _SPEC.match(spec.replace(" ", ""))
        if not m:
            raise ValueError(f"expected abs=A, rel=R, sigfig=S or decimals=D, got '{spec}'")
        kind = m.group(1)
        try:
            amount = float(m.group(2))
        except ValueError:
            raise ValueError(f"{kind} must be a number, got '{m.group(2)}'") from None
        if amount < 0 or not math.isfinite(amount) or (kind in ("sigfig", "decimals") and amount != int(amount)):
            raise ValueError(f"{kind} must be a {'whole ' if kind in ('sigfig', 'decimals') else ''}number ≥ 0, got {m.group(2)}")
        return cls(kind, amount)

    def close(self, given: float, expected: float, text: str, slack: float = 1.0) -> bool:
        """Whether `given` (written as `text`) agrees with `expected`."""
        return self.judge(given, expected, text, slack) == "correct"

    def judge(self, given: float, expected: float, text: str, slack: float = 1.0) -> str:
        """`correct`, `imprecise` (right, but to fewer decimals than asked) or `off`."""
        if not (math.isfinite(given) and math.isfinite(expected)):
            return "correct" if given == expected else "off"
        diff = abs(given - expected)
        floor = FLOOR_ABS + FLOOR_REL * max(abs(given), abs(expected)) + self.key_unit * slack
        if self.kind != "written":
            return "correct" if diff <= self._explicit(given, expected) * (1 + 1e-9) + floor else "off"
        d = written_decimals(text)
        if d is None:  # a fraction is exact: checked to the decimals asked, else exactly
            unit = EXACT_REL * abs(expected) if self.asked is None else 10.0 ** -self.asked
            return "correct" if diff <= unit * slack * (1 + 1e-9) + floor else "off"
        unit = 10.0 ** -(d if self.asked is None else self.asked)
        if diff <= unit * slack * (1 + 1e-9) + floor:
            return "correct"
        if self.asked is not None and d < self.asked and _rounded_or_truncated(given, expected, d, slack, floor):
            return "imprecise"
        return "off"

    def unit(self, text: str) -> float | None:
        """The absolute distance within which `text` is surely correct (before the relative floor);
        None where only `judge` can tell (exact fractions without decimals asked, explicit kinds)."""
        if self.kind != "written":
            return 10.0 ** -self.amount * (1 + 1e-9) + FLOOR_ABS + self.key_unit if self.kind == "decimals" else None
        d = written_decimals(text)
        if self.asked is None and d is None:
            return None
        return 10.0 ** -(d if self.asked is None else self.asked) * (1 + 1e-9) + FLOOR_ABS + self.key_unit

    def _explicit(self, given: float, expected: float) -> float:
        if self.kind in ("abs", "rel"):
            return self.amount if self.kind == "abs" else self.amount * max(abs(given), abs(expected))
        if self.kind == "decimals":
            return 10.0 ** -self.amount
        scale = max(abs(given), abs(expected))
        return 10.0 ** (math.floor(math.log10(scale)) - int(self.amount) + 1) if scale else 0.0

    def describe(self) -> str:
        """The tolerance in words, for reports."""
        if self.kind == "written":
            return "one unit in the last decimal written" if self.asked is None else \
                f"{self.asked} decimals asked, one unit in the last of them"
        amount = int(self.amount) if self.kind in ("sigfig", "decimals") else self.amount
        return f"{self.kind}={amount}"


@functools.lru_cache(maxsize=4096)  # a class's answers repeat the same texts
def written_decimals(text: str) -> int | None:
    """Decimals a number was written to: `0.310` -> 3, `2` -> 0, `1.5e-3` -> 4; None for `1/3`."""
    m = re.match(r"^\s*[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$", text)
    if not m or not (m.group(1) or m.group(2)):
        return None
    decimals = len(m.group(2) or "") - int(m.group(3) or 0)
    return max(decimals, 0)


def _rounded_or_truncated(given: float, expected: float, d: int, slack: float, floor: float) -> bool:
    """Whether `given` is `expected` rounded or truncated to d decimals (0.3 for 0.281, 0.2 for 0.281).

    A 0 never is: it carries no digit of the value (a dropped term, a sheet of zeros)."""
    unit = 10.0 ** -d
    if given == 0:
        return False
    if abs(given - expected) <= unit * (0.5 + 1e-9) + floor * slack:
        return True
    return abs(given - expected) < unit * (1 + 1e-9) and abs(given) <= abs(expected) + floor and given * expected >= 0
