"""When a written number counts as equal to a computed one.

Default: a number written with d decimals is accepted within one unit of its d-th decimal, so
both rounding and truncation pass and digits carried from earlier rounded answers are allowed
for; d is counted from the text as written (`0.310` has three). Or set explicitly:
`abs=A`, `rel=R`, `sigfig=S`, `decimals=D`. Comparisons are symmetric, as math.isclose.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

KINDS = ("abs", "rel", "sigfig", "decimals")
_SPEC = re.compile(rf"^({'|'.join(KINDS)})=([0-9.eE+-]+)$")
EXACT_REL = 1e-9  # for fractions and other forms with no decimals to count


@dataclass(frozen=True)
class Tolerance:
    """`kind` is "written" (the default) or one of KINDS with its `amount`."""

    kind: str = "written"
    amount: float = 0.0

    @classmethod
    def parse(cls, spec: str) -> "Tolerance":
        """`abs=0.001`, `rel=1e-3`, `sigfig=3`, `decimals=2`; ValueError saying what was expected."""
        m = _SPEC.match(spec.replace(" ", ""))
        if not m:
            raise ValueError(f"expected abs=A, rel=R, sigfig=S or decimals=D, got '{spec}'")
        kind, amount = m.group(1), float(m.group(2))
        if amount < 0 or not math.isfinite(amount) or (kind in ("sigfig", "decimals") and amount != int(amount)):
            raise ValueError(f"{kind} must be a {'whole ' if kind in ('sigfig', 'decimals') else ''}number ≥ 0, got {m.group(2)}")
        return cls(kind, amount)

    def close(self, given: float, expected: float, text: str) -> bool:
        """Whether `given` (written as `text`) agrees with `expected`."""
        if self.kind == "abs":
            return math.isclose(given, expected, rel_tol=0.0, abs_tol=self.amount)
        if self.kind == "rel":
            return math.isclose(given, expected, rel_tol=self.amount, abs_tol=0.0)
        if self.kind == "decimals":
            return math.isclose(given, expected, rel_tol=0.0, abs_tol=10.0 ** -self.amount * (1 + 1e-9))
        if self.kind == "sigfig":
            scale = max(abs(given), abs(expected))
            unit = 10.0 ** (math.floor(math.log10(scale)) - int(self.amount) + 1) if scale else 0.0
            return math.isclose(given, expected, rel_tol=0.0, abs_tol=unit * (1 + 1e-9))
        d = written_decimals(text)
        if d is None:
            return math.isclose(given, expected, rel_tol=EXACT_REL, abs_tol=1e-12)
        return math.isclose(given, expected, rel_tol=0.0, abs_tol=10.0 ** -d * (1 + 1e-9))

    def describe(self) -> str:
        if self.kind == "written":
            return "one unit in the last decimal written"
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
