"""Marking a student's answers against the trace, with error carried forward.

Each answer is compared with the true value; failing that, with the value its own step gives
from the student's earlier answers (`carried_forward`: right method, wrong input); failing that
it is `wrong`, and is tested against known misconceptions. Verdicts are data; renderers phrase them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bptt_trace.marking.answers import Answer, Entry, Submission
from bptt_trace.marking.blanks import answerable
from bptt_trace.record.names import is_reported, split
from bptt_trace.scenario.notation import symbols
from bptt_trace.record.ops import compute
from bptt_trace.numbers.tolerance import Tolerance
from bptt_trace.record.steps import Step, Trace, summed_examples

VERDICTS = ("correct", "carried_forward", "wrong", "unknown", "malformed", "unanswered")
MISCONCEPTIONS = {
    "derivative_from_pre_activation": "the derivative taken from the pre-activation (1 − z² for tanh, z(1 − z) for σ) "
                                      "instead of from the activation",
    "future_term_dropped": "the term from the next step, W_hhᵀ·δz_(t+1) (in a gated cell the Uᵀ·δz terms), left out",
    "cell_path_dropped": "the cell state's own path, δc_(t+1) ⊙ f_(t+1), left out of δc_t",
    "direct_path_dropped": "the GRU's direct path, (1 − u_(t+1)) ⊙ δh_(t+1), left out of δh_t",
    "not_transposed": "W used where Wᵀ belongs in the backward product",
    "update_sign": "the wrong sign in the update (W + η·∇W)",
    "updated_twice": "the update applied to already-updated weights",
    "mean_sum_swapped": "the mean over examples where the sum belongs, or the reverse",
}


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


@dataclass
class Report:
    """All verdicts of one submission in computation order, with counts and the first mistake."""

    submission: Submission
    verdicts: list[Verdict]
    counts: dict[str, int] = field(default_factory=dict)
    first_mistake: Verdict | None = None

    @property
    def has_wrong(self) -> bool:
        return self.counts.get("wrong", 0) > 0


class Checker:
    """Marks submissions against one trace (its number system is used for the recomputations)."""

    def __init__(self, trace: Trace, numbers, tolerance: Tolerance, notation=None) -> None:
        self.trace, self.num, self.tolerance = trace, numbers, tolerance
        self.names = answerable(trace)
        order: dict[tuple[str, int | None], int] = {}
        for i, s in enumerate(trace.steps):
            order.setdefault((s.name, s.example), i)
        self.order = order
        self.aliases = _aliases(notation)
        self.student: dict[tuple[str, int | None], Any] = {}

    def check(self, submission: Submission) -> Report:
        """Every answer's verdict, sorted into computation order."""
        self.student = {}  # every parsed answer, so that each step is redone from the student's own inputs
        pending: list = []
        for a in submission.answers:
            name = self.resolve(a)
            parsed = self.parse(a, name)
            if not isinstance(parsed, Verdict):
                self.student[(name, a.example)] = parsed[0]
                parsed = (a, name, *parsed)
            pending.append(parsed)
        verdicts = [p if isinstance(p, Verdict) else self.mark(*p) for p in pending]
        verdicts.sort(key=lambda v: v.order)
        counts = {k: sum(v.verdict == k for v in verdicts) for k in VERDICTS}
        first = next((v for v in verdicts if v.verdict == "wrong"), None)
        return Report(submission, verdicts, counts, first)

    # --- names and shapes -------------------------------------------------------------------
    def resolve(self, a: Answer) -> str | None:
        """The canonical name of an answer, or None when it names nothing in this scenario."""
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

    def parse(self, a: Answer, name: str | None) -> Verdict | tuple[Any, Any]:
        """A verdict for an unknown, malformed or blank answer; else (values, texts) shaped as expected."""
        count = len(self.trace.scenario.examples)
        if name is None and a.example is not None and not 1 <= a.example <= count:
            return Verdict(a, None, "unknown", problem=f"there is no example {a.example}: the scenario has only "
                                                          f"{count} example{'s' * (count != 1)}")
        if name is None:
            pool = [n for n in self.names if a.example is None or self.trace.has(n, a.example)]
            return Verdict(a, None, "unknown", suggestions=tuple(difflib.get_close_matches(a.name, pool, n=3)))
        expected = np.asarray(self.trace.value(name, a.example), dtype=object)
        flat, problem = _flatten(a.entries)
        order = self.order.get((name, a.example), 10**9)
        if problem:
            return Verdict(a, name, "malformed", problem=problem, order=order)
        if all(e.blank for e in flat):
            return Verdict(a, name, "unanswered", order=order)
        if any(e.blank for e in flat):
            return Verdict(a, name, "malformed", problem="some entries are left blank", order=order)
        if len(flat) != expected.size or (np.ndim(a.entries) > expected.ndim and expected.size > 1):
            want = "×".join(map(str, expected.shape)) or "a single number"
            return Verdict(a, name, "malformed", problem=f"expected {want}, got {len(flat)} numbers", order=order)
        values = [self.num.from_text(e.text) for e in flat]
        if not expected.shape:
            return values[0], flat[0].text
        given = np.array(values, dtype=object).reshape(expected.shape)
        if self.num.name == "float64":
            given = given.astype(float)
        return given, np.array([e.text for e in flat], dtype=object).reshape(expected.shape)

    # --- marking ----------------------------------------------------------------------------
    def mark(self, a: Answer, name: str, given: Any, texts: Any) -> Verdict:
        expected = self.trace.value(name, a.example)
        order = self.order.get((name, a.example), 10**9)
        if not self.off(given, expected, texts):
            return Verdict(a, name, "correct", given, expected, texts=texts, order=order)
        recomputed, replay = self.recompute(name, a.example)
        chain = self.chain(replay, a.example)
        off = self.off(given, recomputed, texts)
        if not off:
            return Verdict(a, name, "carried_forward", given, expected, recomputed, texts=texts, order=order,
                           replay=chain)
        misconception = next((key for key, alt in self.misconceptions(name, a.example, replay)
                              if alt is not None and np.shape(alt) == np.shape(given) and not self.off(given, alt, texts)),
                             None)
        return Verdict(a, name, "wrong", given, expected, recomputed, tuple(off), misconception, texts, order=order,
                       replay=chain)

    def off(self, given: Any, target: Any, texts: Any) -> list[tuple]:
        """The entries of `given` that do not agree with `target`."""
        g, t, w = (np.asarray(x, dtype=object) for x in (given, target, texts))
        return [i for i in np.ndindex(g.shape)
                if not self.tolerance.close(float(g[i]), float(t[i]), str(w[i]))]

    def recompute(self, name: str, example: int | None) -> tuple[Any, Step]:
        """The step that computes `name`, redone from the student's earlier answers where given."""
        step = self.trace.step(name, example)
        over = summed_examples(step)
        inputs = tuple(self.operand(o, over[i] if over else example, step.inputs[i]) for i, o in enumerate(step.operands))
        value, terms = compute(step.op, step.detail, inputs, self.num)
        value = self.num.result(value, name)
        return value, step._replace(inputs=inputs, value=value, terms=terms)

    def chain(self, step: Step, example: int | None) -> tuple[Step, ...]:
        """A redone step after the intermediates it uses, each redone from the student's inputs too."""
        before = tuple(self.recompute(o, example)[1] for o in step.operands
                       if not is_reported(o) and self.trace.has(o, example) and self.trace.step(o, example).op != "given")
        return before + (step,)

    def operand(self, name: str, example: int | None, true_value: Any) -> Any:
        """The student's value of an operand, an intermediate redone from theirs, or the true value."""
        if (name, example) in self.student:
            return self.student[(name, example)]
        if not is_reported(name) and self.trace.has(name, example) and self.trace.step(name, example).op != "given":
            return self.recompute(name, example)[0]
        return true_value

    # --- misconceptions ---------------------------------------------------------------------
    def misconceptions(self, name: str, example: int | None, step: Step) -> list[tuple[str, Any]]:
        """(misconception, the value it would give) for the step of `name`."""
        stem, index = split(name)
        out: list[tuple[str, Any]] = []
        num = self.num
        model = self.trace.scenario.model
        act = model.layers[int(index) - 1][1] if model.cell == "mlp" and stem in ("dh/dz", "dL/dz") else model.activation
        if stem in ("dh/dz", "dL/dz") and act in ("tanh", "sigmoid"):
            z = self.operand(f"z[{index}]", example, self.trace.value(f"z[{index}]", example))
            wrong = compute("derivative", act, (z,), num)[0]
            if stem == "dL/dz":
                wrong = step.inputs[0] * wrong
            out.append(("derivative_from_pre_activation", wrong))
        if stem == "dy_hat/do" and self.trace.scenario.model.output == "sigmoid":
            o = self.operand(f"o[{index}]", example, self.trace.value(f"o[{index}]", example))
            out.append(("derivative_from_pre_activation", compute("derivative", "sigmoid", (o,), num)[0]))
        if stem == "dL/dh" and index != "0":
            out += self._gated_slips(step) if model.cell in ("lstm", "gru") else self._backward_slips(step, example)
        if stem == "dL/dc" and step.op == "add":  # an LSTM's δc_t: through h, and along the cell state
            out.append(("cell_path_dropped", step.inputs[0]))
        if step.op == "matvec_t" and np.shape(step.inputs[0])[0] == np.shape(step.inputs[0])[1]:
            out.append(("not_transposed", step.inputs[0] @ step.inputs[1]))
        if name.endswith("_new"):
            old, grad, rate = step.inputs
            out += [("update_sign", old + rate * grad), ("updated_twice", old - rate * grad - rate * grad)]
            other = self._other_reduction(f"dL/d{name[:-4]}")
            out.append(("mean_sum_swapped", old - rate * other))
        if example is None and summed_examples(step):
            out.append(("mean_sum_swapped", compute("sum" if step.op == "mean" else "mean", "", step.inputs, num)[0]))
        return out

    def _backward_slips(self, step: Step, example: int | None) -> list[tuple[str, Any]]:
        """δh_t without its future term, or with W_hh instead of W_hhᵀ in it."""
        parts = [(o, v) for o, v in zip(step.operands, step.inputs)] if step.op == "add" else [(step.name, step.value)]
        future = [i for i, (o, _) in enumerate(parts) if o.startswith("W_hh^T") or
                  (step.op == "matvec_t" and step.operands[0] == "W_hh")]
        if not future:
            return []
        i = future[0]
        fstep = step if step.op == "matvec_t" else self.trace.step(parts[i][0], example)
        W, dz = fstep.inputs if fstep is step else (fstep.inputs[0], self.operand(fstep.operands[1], example, fstep.inputs[1]))
        rest = [v for j, (_, v) in enumerate(parts) if j != i]
        dropped = rest[0] if rest else np.asarray(W @ dz) * 0
        return [("future_term_dropped", dropped), ("not_transposed", dropped + W @ dz if rest else W @ dz)]

    def _gated_slips(self, step: Step) -> list[tuple[str, Any]]:
        """δh_t of an LSTM or GRU with only its output term, or (GRU) without the direct path."""
        if step.op != "add":
            return []
        parts = list(zip(step.operands, step.inputs))
        out = [("future_term_dropped", v) for o, v in parts if o.startswith("W_hy^T")]
        direct = [i for i, (o, _) in enumerate(parts) if o.startswith("1-u[")]
        if direct:
            out.append(("direct_path_dropped", step.value - parts[direct[0]][1]))
        return out

    def _other_reduction(self, grad_name: str) -> Any:
        step = self.trace.step(grad_name, None)
        return compute("sum" if step.op == "mean" else "mean", "", step.inputs, self.num)[0]


def _flatten(entries: Any) -> tuple[list[Entry], str]:
    """The entries in row order, or a description of what is not a number."""
    if isinstance(entries, str):
        return [], f"expected a number, got {entries}"
    if isinstance(entries, Entry):
        return [entries], ""
    out: list[Entry] = []
    lengths = {len(e) for e in entries if isinstance(e, list)}
    if len(lengths) > 1 or (lengths and not all(isinstance(e, list) for e in entries)):
        return [], "rows of different lengths"
    for e in entries:
        flat, problem = _flatten(e)
        if problem:
            return [], problem
        out += flat
    return out, ""


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
