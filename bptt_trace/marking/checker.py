"""Marking a student's answers against the trace, with error carried forward.

Each answer is compared with the true value; failing that, with the value its own step gives
from the student's own numbers (`carried_forward`: right method, wrong input), where steps the
student left blank are redone from the nearest answers they wrote, and any valid route counts
(δo by the chain rule, products rounded at the student's own precision); failing that it is
`wrong` and tested against known misconceptions. A number right only to fewer decimals than
the assignment asks is `imprecise`. Verdicts are data; renderers phrase them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from bptt_trace.marking.answers import Answer, Submission
from bptt_trace.marking.blanks import answerable
from bptt_trace.marking.misconceptions import MISCONCEPTIONS, slips
from bptt_trace.marking.quick import Pinned, cached, flat_floats, surely_correct, within
from bptt_trace.marking.routes import routes
from bptt_trace.marking.shapes import fits, shape_problem, written_shape
from bptt_trace.marking.world import World
from bptt_trace.numbers.tolerance import Tolerance, written_decimals
from bptt_trace.numbers.written import parse_number
from bptt_trace.record.names import split
from bptt_trace.record.steps import Step, Trace
from bptt_trace.scenario.notation import symbols

__all__ = ["Checker", "Report", "Verdict", "VERDICTS", "MISCONCEPTIONS"]

VERDICTS = ("correct", "carried_forward", "imprecise", "wrong", "unknown", "malformed", "unanswered")
MISTAKES = ("wrong", "imprecise", "malformed")  # verdicts that make a sheet not fully correct
TRIVIAL = "follows from your earlier numbers, but they make it 0: no credit is carried forward for work a slip made trivial"


@dataclass(frozen=True)
class Verdict:
    """The marking of one answer. `off` lists the entries (from 0) that disagree with `recomputed`."""

    answer: Answer
    name: str | None
    verdict: str
    given: Any = None
    expected: Any = None
    recomputed: Any = None
    off: tuple = ()
    misconception: str | None = None
    texts: Any = None  # each entry as the student wrote it, shaped as `given`
    suggestions: tuple[str, ...] = ()
    problem: str = ""
    order: int = 10**9
    replay: tuple[Step, ...] = ()  # the step redone from the student's inputs, after its intermediates
    blank: tuple = ()  # entries left blank in a partly written answer
    decimals: int | None = None  # the most decimals the student wrote in this answer
    follows: bool = False  # wrong, but explained by an earlier mistake (not an independent one)


@dataclass
class Report:
    """All verdicts of one submission in computation order, with counts, the first and every mistake."""

    submission: Submission
    verdicts: list[Verdict]
    counts: dict[str, int] = field(default_factory=dict)
    first_mistake: Verdict | None = None
    mistakes: list[Verdict] = field(default_factory=list)  # every independent mistake, in order

    @property
    def has_wrong(self) -> bool:
        """Whether anything is wrong, imprecise or malformed (the sheet is not fully correct)."""
        return any(self.counts.get(k, 0) for k in MISTAKES)


@dataclass(frozen=True)
class _Parsed:
    answer: Answer
    name: str
    given: Any
    texts: Any
    mask: Any  # None, or the written entries of a partly blank answer
    order: int
    decimals: int | None
    units: Any = None  # each entry's distance to be surely correct, for a quick check (None: judge each)
    flat: Any = None  # float64: (the given entries, their units) as lists, for the quick check (units then None)


class Checker:
    """Marks submissions against one trace (its number system is used for the recomputations).

    `precise`: a float64 trace to accept too when the key is a hand-rounded one.
    """

    def __init__(self, trace: Trace, numbers, tolerance: Tolerance, notation=None, precise: Trace | None = None):
        self.trace, self.num, self.tolerance, self.precise = trace, numbers, tolerance, precise
        self.names = set(answerable(trace))
        self.pool = answerable(trace)
        self.order = {}
        for i, s in enumerate(trace.steps):
            self.order.setdefault((s.name, s.example), i)
        self.aliases = _aliases(notation)
        self.world = World(trace, numbers)
        self._resolved: dict = {}  # (section, name, example) -> canonical name or None
        self._expected: dict = {}  # (name, example) -> (expected as objects, as a list of floats)
        self._units: dict = {}  # text -> its unit
        self._answers = Pinned()  # a shared answer -> (parsed or None, its verdict when settled without the world)
        self._written = Pinned()  # shared entries -> {(name, example): (parsed, settled verdict)}

    def check(self, submission: Submission) -> Report:
        """Every answer's verdict, sorted into computation order."""
        self.world = World(self.trace, self.num)
        pending = [self.known(a) for a in submission.answers]
        for p, _ in pending:
            if p is not None:
                self.world.write((p.name, p.answer.example), p.given, p.mask)
        with self.num.context():
            verdicts = [self.mark(p) if v is None else v for p, v in pending]
        verdicts.sort(key=lambda v: v.order)
        counts = dict.fromkeys(VERDICTS, 0)
        for v in verdicts:
            if v.verdict in counts:
                counts[v.verdict] += 1
        mistakes = [v for v in verdicts if v.verdict == "wrong" and not v.follows]
        return Report(submission, verdicts, counts, mistakes[0] if mistakes else None, mistakes)

    def known(self, a: Answer) -> tuple[_Parsed | None, Verdict | None]:
        """An answer parsed, and its verdict when no other answer can change it (a class's sheets share
        answers and entries, see `marking.answers_fast`, so each is worked out once)."""
        hit = self._answers.get(a)
        if hit is None:
            hit = self._first_sight(a)
            self._answers.put(a, hit)
        return hit

    def _first_sight(self, a: Answer) -> tuple[_Parsed | None, Verdict | None]:
        name = self.resolve(a)
        per_entries = self._written.get(a.entries) if name is not None else None
        if per_entries is not None and (name, a.example) in per_entries:
            p, settled = per_entries[(name, a.example)]
            return replace(p, answer=a), None if settled is None else replace(settled, answer=a)
        p = self.parse(a, name)
        if not isinstance(p, _Parsed):
            return None, p
        if isinstance(p.given, np.ndarray):
            p.given.flags.writeable = False  # shared by every sheet with this answer
        settled = self.settled(p)
        if per_entries is None and not isinstance(a.entries, str):
            per_entries = {}
            self._written.put(a.entries, per_entries)
        if per_entries is not None:
            per_entries[(name, a.example)] = (p, settled)
        return p, settled

    # --- names and shapes -------------------------------------------------------------------
    def resolve(self, a: Answer) -> str | None:
        """The canonical name of an answer, or None when it names nothing in this scenario."""
        return cached(self._resolved, (a.section, a.name, a.example), lambda: self._resolve(a))

    def _resolve(self, a: Answer) -> str | None:
        name = a.name.strip()
        if a.section == "updated":
            name = self.aliases.get(name, name)
            name = name if name.endswith("_new") else f"{name}_new"
        else:
            stem, index = split(name)
            stem = self.aliases.get(stem, stem)
            name = stem if index is None else f"{stem}[{index}]"
        exists = self.trace.has(name, a.example) if a.example is not None else self.trace.has(name)
        return name if name in self.names and exists else None

    def parse(self, a: Answer, name: str | None) -> Verdict | _Parsed:
        """A verdict for an unknown, malformed or blank answer; else its values shaped as expected."""
        count = len(self.trace.scenario.examples)
        if name is None and a.example is not None and not 1 <= a.example <= count:
            return Verdict(a, None, "unknown", problem=f"there is no example {a.example}: the scenario has only "
                                                          f"{count} example{'s' * (count != 1)}")
        if name is None:
            pool = [n for n in self.pool if a.example is None or self.trace.has(n, a.example)]
            return Verdict(a, None, "unknown", suggestions=tuple(difflib.get_close_matches(a.name, pool, n=3)))
        expected = self.expected(name, a.example)[0]
        order = self.order.get((name, a.example), 10**9)
        shape, flat, problem = written_shape(a.entries)
        if problem:
            return Verdict(a, name, "malformed", problem=problem, order=order)
        if all(e.blank for e in flat):
            return Verdict(a, name, "unanswered", order=order)
        if not fits(shape, expected.shape):
            return self.misshapen(a, name, shape, flat, expected, order)
        if self.num.name == "float64" and not any(e.blank or "/" in e.text for e in flat):
            return self.parse_floats(a, name, flat, expected.shape, order)
        blank = np.array([e.blank for e in flat]).reshape(expected.shape)
        values = [None if e.blank else self.value_of(e.text) for e in flat]
        texts = np.array([e.text for e in flat], dtype=object).reshape(expected.shape)
        given = np.array(values, dtype=object).reshape(expected.shape)
        if blank.any():
            given[blank] = np.asarray(expected, dtype=object)[blank]
        if self.num.name == "float64":
            given = given.astype(float)
        places = [written_decimals(e.text) for e in flat if not e.blank]
        decimals = max((d for d in places if d is not None), default=None)
        units = [self.tolerance.unit(e.text) for e in flat]
        units = None if blank.any() or None in units else np.array(units).reshape(expected.shape)
        if not expected.shape:
            given, texts = given[()], texts[()]
        return _Parsed(a, name, given, texts, ~blank if blank.any() else None, order, decimals, units)

    def parse_floats(self, a: Answer, name: str, flat: list, shape: tuple, order: int) -> _Parsed:
        """`parse` for the common case: float64 marking, every entry a written decimal."""
        texts = [e.text for e in flat]
        values = [float(t) for t in texts]
        places = [d for d in map(written_decimals, texts) if d is not None]
        units = [cached(self._units, t, lambda: self.tolerance.unit(t)) for t in texts]  # noqa: B023
        given = np.array(values, dtype=float).reshape(shape)
        text_array = np.array(texts, dtype=object).reshape(shape)
        if not shape:
            given, text_array = given[()], text_array[()]
        flat_units = None if None in units else (values, units)
        return _Parsed(a, name, given, text_array, None, order, max(places, default=None), None, flat_units)

    def expected(self, name: str, example: int | None) -> tuple[Any, Any]:
        """A quantity's true value as an object array, and as a list of floats for the quick check."""
        def make():
            value = self.trace.value(name, example)
            return np.asarray(value, dtype=object), flat_floats(value)
        return cached(self._expected, (name, example), make)

    def value_of(self, text: str) -> Any:
        """A written number in the checker's number system (fractions exactly, never evaluated)."""
        return self.num.const(parse_number(text)) if "/" in text else self.num.from_text(text)

    def misshapen(self, a: Answer, name: str, shape, flat, expected, order: int) -> Verdict:
        """Malformed, with the shape expected; a transposed matrix is named."""
        problem = shape_problem(shape, expected.shape)
        named = None
        if len(shape) == 2 and shape[::-1] == expected.shape and not any(e.blank for e in flat):
            given = np.array([float(self.value_of(e.text)) for e in flat]).reshape(shape).T
            texts = np.array([e.text for e in flat], dtype=object).reshape(shape).T
            if not self.off(given, expected, texts):
                named = "transposed"
        return Verdict(a, name, "malformed", problem=problem, order=order, misconception=named)

    # --- marking ----------------------------------------------------------------------------
    def settled(self, p: _Parsed) -> Verdict | None:
        """The verdict of an answer right against the key (the student's other answers cannot change it)."""
        judged = self._judged(p)
        return Verdict(**self._base(p), verdict="correct") if any(j == "correct" for j, _ in judged) else None

    def _base(self, p: _Parsed) -> dict:
        return dict(answer=p.answer, name=p.name, given=p.given, expected=self.trace.value(p.name, p.answer.example),
                    texts=p.texts, order=p.order, blank=_entries(p.mask), decimals=p.decimals)

    def _judged(self, p: _Parsed) -> list[tuple[str, list]]:
        a, name = p.answer, p.name
        keys = [self.trace.value(name, a.example)] + ([self.precise.value(name, a.example)]
                                                       if self.precise is not None else [])
        return [self.judge(p, k, quick=self.expected(name, a.example)[1] if i == 0 else None)
                for i, k in enumerate(keys)]

    def mark(self, p: _Parsed) -> Verdict:
        """Correct, imprecise, carried forward or wrong; a wrong one's misconception."""
        a, name = p.answer, p.name
        expected = self.trace.value(name, a.example)
        base = self._base(p)
        judged = self._judged(p)
        if any(j == "correct" for j, _ in judged):
            return Verdict(**base, verdict="correct")
        best = None
        asked = self.tolerance.asked
        places = p.decimals if p.decimals is not None and (asked is None or p.decimals >= asked) else None
        for route, value, replay in routes(self.world, self.trace.step(name, a.example), places):
            verdict, off = self.judge(p, value)
            if best is None or len(off) < len(best[2]):
                best = (verdict, value, off, replay)
            if verdict == "correct":  # on the student's own inputs; honest when those are right
                inputs = value if route == "formula" else replay[-1].value
                honest = not self.off(inputs, expected, p.texts)
                if not honest and _trivial(p.given, expected, p.mask):
                    return Verdict(**base, verdict="wrong", recomputed=value, replay=replay, follows=True,
                                   problem=TRIVIAL, off=tuple(i for i in np.ndindex(np.shape(p.given))))
                return Verdict(**base, verdict="correct" if honest else "carried_forward", recomputed=value,
                               replay=replay)
        imprecise = any(j == "imprecise" for j, _ in judged) or best[0] == "imprecise"
        verdict, value, off, replay = best
        named = next((k for k, alt in slips(self.world, replay[-1]) if alt is not None and
                      np.shape(alt) == np.shape(p.given) and not self.off(p.given, alt, p.texts, mask=p.mask)), None)
        off = off or [i for i in np.ndindex(np.shape(p.given)) if (p.mask is None or p.mask[i]) and
                      self.tolerance.judge(float(np.asarray(p.given)[i]), float(np.asarray(value)[i]),
                                           str(np.asarray(p.texts, dtype=object)[i])) != "correct"]
        if imprecise and named is None:
            return Verdict(**base, verdict="imprecise", recomputed=value, off=tuple(off), replay=replay)
        return Verdict(**base, verdict="wrong", recomputed=value, off=tuple(off), misconception=named, replay=replay)

    def judge(self, p: _Parsed, target: Any, slack: float = 1.0, quick: Any = None) -> tuple[str, list[tuple]]:
        """`correct`, `imprecise` or `off` for a whole answer, with the entries that are off.

        `quick`: the target's entries as a list of floats, for the quick check entry by entry."""
        if slack == 1.0:
            if p.flat is not None:  # the same check as surely_correct, on lists of floats
                quick = flat_floats(target, np.shape(p.given)) if quick is None else quick
                if quick is not None and within(p.flat[0], quick, p.flat[1]):
                    return "correct", []
            elif surely_correct(p.units, p.given, target):
                return "correct", []
        g, t, w = (np.asarray(x, dtype=object) for x in (p.given, target, p.texts))
        if g.shape != t.shape:
            return "off", [()]
        verdicts = {i: self.tolerance.judge(float(g[i]), float(t[i]), str(w[i]), slack) for i in np.ndindex(g.shape)
                    if p.mask is None or p.mask[i]}
        off = [i for i, v in verdicts.items() if v == "off"]
        return ("off" if off else "imprecise" if "imprecise" in verdicts.values() else "correct"), off

    def off(self, given: Any, target: Any, texts: Any, slack: float = 1.0, mask: Any = None) -> list[tuple]:
        """The entries of `given` that do not agree with `target`."""
        g, t, w = (np.asarray(x, dtype=object) for x in (given, target, texts))
        if g.shape != t.shape:
            return [()]
        return [i for i in np.ndindex(g.shape) if (mask is None or mask[i]) and
                not self.tolerance.close(float(g[i]), float(t[i]), str(w[i]), slack)]


def _trivial(given: Any, expected: Any, mask: Any) -> bool:
    """Whether an answer is all zeros where the true value is not: work an earlier slip made trivial."""
    g, e = np.asarray(given, dtype=float), np.asarray(expected, dtype=float)
    keep = np.ones(g.shape, bool) if mask is None else np.asarray(mask, bool)
    return bool((g[keep] == 0).all() and (np.abs(e[keep]) > 1e-9).any())


def _entries(mask: Any) -> tuple:
    """The blank entries of a partly written answer."""
    return () if mask is None else tuple(i for i in np.ndindex(np.shape(mask)) if not mask[i])


def _aliases(notation) -> dict[str, str]:
    """Display stems of a notation -> canonical stems (`O` -> `h`, `dL/dWh` -> `dL/dW_hh`, `Wh` -> `W_hh`)."""
    sym = symbols(notation)
    out = {}
    for canonical, shown in sym.items():
        if shown != canonical:
            out[shown] = canonical
            out[f"dL/d{shown}"] = f"dL/d{canonical}"
            out[f"{shown}_new"] = f"{canonical}_new"
    if sym["h"] != "h" or sym["z"] != "z":
        out[f"d{sym['h']}/d{sym['z']}"] = "dh/dz"
    if sym["o"] != "o":
        out[f"dy_hat/d{sym['o']}"] = "dy_hat/do"
    return out
