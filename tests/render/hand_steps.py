"""Read the worked steps back out of the terminal output and redo each one from the numbers shown.

A step is a line (or a table row) `expression = expression = … = value` whose segments hold only
numbers and the operations a student does on a calculator. Each segment must follow from the one
before it as a student would work it: term by term when both have the same terms, else as a whole,
to the decimals written. Written without eval: a small recursive-descent reader.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Iterator, NamedTuple

TOKEN = re.compile(r"\s*(\d+(?:\.\d+)?(?:e[-+]?\d+)?|tanh|sigmoid|relu|identity|ln|exp|min|clip|√|±|½|[-+×·/()²,])")
FUNCTIONS = {"tanh": math.tanh, "sigmoid": lambda a: 1 / (1 + math.exp(-a)), "relu": lambda a: max(a, 0.0),
             "identity": lambda a: a, "ln": math.log, "exp": math.exp, "√": math.sqrt}
NUMERIC = re.compile(r"^[\d.e\s+\-×·/()²,√±½]*(?:(?:tanh|sigmoid|relu|identity|ln|exp|min|clip)[\d.e\s+\-×·/()²,√±½]*)*$")
IF_ELSE = re.compile(r"^(\S+) if (\S+) > 0 else (\S+)$")


class Failure(NamedTuple):
    """A step that does not add up: the line, the two segments, and what the first gives."""

    line: str
    before: str
    after: str
    computed: float


def tokens(text: str) -> list[str]:
    """The tokens of a numeric segment; ValueError on anything else."""
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"cannot read {text[pos:]!r}")
        out.append(m.group(1))
        pos = m.end()
    return out


class Reader:
    """expr := term (± term)*; term := factor ((×|·|/) factor)*; factor := -factor | primary ²?"""

    def __init__(self, text: str) -> None:
        self.toks, self.i = tokens(text), 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise ValueError(f"expected {expected}, got {tok}")
        self.i += 1
        return tok

    def value(self) -> float:
        v = self.expr()
        if self.peek() is not None:
            raise ValueError(f"left over {self.toks[self.i:]}")
        return v

    def expr(self) -> float:
        v = self.term()
        while self.peek() in ("+", "-"):
            v = v + self.term() if self.take() == "+" else v - self.term()
        return v

    def term(self) -> float:
        v = self.factor()
        while self.peek() in ("×", "·", "/"):
            v = v / self.factor() if self.take() == "/" else v * self.factor()
        return v

    def factor(self) -> float:
        if self.peek() == "-":
            self.take()
            return -self.factor()
        v = self.primary()
        while self.peek() == "²":
            self.take()
            v = v * v
        return v

    def primary(self) -> float:
        tok = self.take()
        if tok == "(":
            v = self.expr()
            self.take(")")
            return v
        if tok == "½":
            return 0.5
        if tok in FUNCTIONS:
            self.take("(")
            v = self.expr()
            self.take(")")
            return FUNCTIONS[tok](v)
        if tok in ("min", "clip"):
            self.take("(")
            a = self.expr()
            self.take(",")
            if tok == "clip":
                self.take("±")
            b = self.expr()
            self.take(")")
            return min(a, b) if tok == "min" else max(-b, min(b, a))
        return float(tok)


def evaluate(text: str) -> float:
    """The value of a numeric segment."""
    m = IF_ELSE.match(text.strip())
    if m:
        return evaluate(m.group(1)) if evaluate(m.group(2)) > 0 else evaluate(m.group(3))
    return Reader(text).value()


def top_terms(text: str) -> list[str]:
    """A segment split at its top-level ` + ` and ` - ` (the sign kept with the term)."""
    terms, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and text[i:i + 3] in (" + ", " - ") and i > start:
            terms.append(text[start:i])
            start = i + 1
    return [t.replace("+ ", "", 1).replace("- ", "-", 1).strip() for t in terms + [text[start:]]]


def slack(written: str, decimals: int) -> float:
    """How far a written number may be from the value it rounds: half its last place, or none when it
    has fewer decimals than the display (it is then exact)."""
    exponent = Decimal(written.lstrip("-")).as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else 0
    if "e" not in written and places < decimals:
        return 1e-9
    return 0.5 * 10.0 ** exponent * (1 + 1e-9) + 1e-12


def follows(before: str, after: str, decimals: int) -> tuple[bool, float]:
    """Whether segment `after` is what a student writes from `before`."""
    a, b = top_terms(before), top_terms(after)
    if len(a) == len(b) > 1:
        ok = all(_close(evaluate(x), y, decimals) for x, y in zip(a, b))
        return ok, evaluate(before)
    if len(b) == 1 and not re.fullmatch(r"-?[\d.]+(?:e[-+]?\d+)?", b[0].strip()):
        return abs(evaluate(before) - evaluate(after)) <= 1e-9, evaluate(before)
    if len(b) > 1:
        return abs(evaluate(before) - evaluate(after)) <= 1e-9 * max(1, abs(evaluate(before))), evaluate(before)
    return _close(evaluate(before), b[0], decimals), evaluate(before)


def _close(x: float, written: str, decimals: int) -> bool:
    try:
        w = written.strip()
        return abs(x - float(w)) <= slack(w, decimals) if re.fullmatch(r"-?[\d.]+(?:e[-+]?\d+)?", w) \
            else abs(x - evaluate(w)) <= 1e-9
    except (ValueError, ArithmeticError):
        return False


ROW = re.compile(r"^\s*(?:\d+(?:,\d+)?|…)\s{3}(.*)$")


def steps(lines: list[str]) -> Iterator[tuple[str, list[str]]]:
    """Each line's trailing run of numeric segments (at least two)."""
    for line in lines:
        m = ROW.match(line)
        body = m.group(1) if m else line
        segments = [s.strip() for s in re.split(r"\s*(?<![<>≤≥])=\s+", body)]
        run: list[str] = []
        for s in reversed(segments):
            if not s or "…" in s or "[" in s or not NUMERIC.match(s) or not any(c.isdigit() for c in s):
                break
            run.insert(0, s)
        if len(run) >= 2:
            yield line, run


def check(lines: list[str], decimals: int = 3) -> tuple[int, list[Failure]]:
    """How many steps were read, and those that do not add up."""
    count, failures = 0, []
    for line, run in steps(lines):
        for before, after in zip(run, run[1:]):
            count += 1
            try:
                ok, computed = follows(before, after, decimals)
            except (ValueError, ArithmeticError, ZeroDivisionError):
                ok, computed = False, math.nan
            if not ok:
                failures.append(Failure(line, before, after, computed))
    return count, failures


NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?$")


def outer_steps(lines: list[str]) -> Iterator[tuple[str, str, str]]:
    """Each entry of an outer-product table (`×` header, a rule, rows) as (row factor, column factor, entry)."""
    for i, line in enumerate(lines):
        head = line.split()
        if len(head) < 2 or head[0] != "×" or not all(NUMBER.match(h) for h in head[1:]):
            continue
        for row in lines[i + 2:]:
            cells = row.split()
            if len(cells) != len(head) or not all(NUMBER.match(c) for c in cells):
                break
            yield from ((cells[0], b, e) for b, e in zip(head[1:], cells[1:]))


def update_steps(lines: list[str]) -> Iterator[tuple[str, str, str, str]]:
    """Each entry of an update (`W ← W − η·∂L/∂W,  η = r` over old, gradient and new) as (old, rate, gradient, new)."""
    for i, line in enumerate(lines):
        m = re.search(r"←.*η = (\S+)$", line)
        if not m:
            continue
        for row in lines[i + 2:]:
            cells = row.split()
            if not cells or len(cells) % 3 or not all(NUMBER.match(c) for c in cells):
                break
            n = len(cells) // 3
            yield from ((cells[k], m.group(1), cells[n + k], cells[2 * n + k]) for k in range(n))


def check_tables(lines: list[str], decimals: int = 3) -> tuple[int, list[Failure]]:
    """The outer products and updates, each entry redone from the factors shown."""
    count, failures = 0, []
    for a, b, e in outer_steps(lines):
        count += 1
        if not _close(float(a) * float(b), e, decimals):
            failures.append(Failure("outer", f"{a}×{b}", e, float(a) * float(b)))
    for old, rate, grad, new in update_steps(lines):
        count += 1
        x = float(old) - evaluate(rate) * float(grad)
        if not _close(x, new, decimals):
            failures.append(Failure("update", f"{old} - {rate}×{grad}", new, x))
    return count, failures
