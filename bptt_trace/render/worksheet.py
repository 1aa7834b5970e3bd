"""The worked calculation as format-neutral blocks: the setup, each example by time step (or
layer), the totals over examples and the update; each step's blocks come from `op_blocks`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bptt_trace.record.names import split
from bptt_trace.render.blocks import Figure, Form, Heading, Math, Para, Prose, SideBySide, Table, Value, cell
from bptt_trace.render.cells import feeds
from bptt_trace.render.op_blocks import Blocks, OpBlocks
from bptt_trace.render.step_choice import StepChoice, elision_text
from bptt_trace.render.step_walk import Plan, shown_feeds, walk
from bptt_trace.record.steps import Step, Trace

__all__ = ["Blocks", "Worksheet"]

PHASE_TITLES = {"forward": "Forward pass", "loss": "Output and loss", "backward": "Backward pass (BPTT)",
                "gradients": "Gradients summed over time steps"}
CLOSING_TITLES = {"gradients": (Prose("Loss and gradients over all examples"),),
                  "update": (Prose("Update: "), Math("W ← W − η·∂L/∂W"))}


class Worksheet(OpBlocks):
    """Builds the blocks of a whole trace; with `figures`, each example starts with its unrolled picture;
    `student` makes it the sheet handed out (name and ID fields, instructions with the rounding rule, no
    note about the number system)."""

    figures = False
    student = False
    steps: StepChoice | None = None  # the time steps shown in full (None: every one)

    # --- document structure ---------------------------------------------------------------
    def build(self, trace: Trace, examples: list[int], drift: list | None = None) -> Blocks:
        """The whole worked calculation: setup, each example, totals, the update (and drift)."""
        self._walk = walk(trace, {k: Plan(*self.elided_steps(trace, trace.scenario.examples[k - 1]),
                                          trace.scenario.examples[k - 1].steps) for k in examples}, self._part_of(trace))
        elided = any(mark is not None for events in self._walk.examples.values() for _, mark in events)
        self.feeds = shown_feeds(trace, self._walk) if elided else feeds(trace)
        self._derived, self._named = {}, {}
        yield Heading(1, cell(Prose(f"{trace.scenario.name}: {_network(trace.scenario.model)}")))
        if self.student:
            yield Form(("Name", "Student ID"), cell(Prose(self.instructions(trace))))
        if trace.scenario.description:
            yield Para(cell(Prose(trace.scenario.description)))
        yield from self.setup(trace)
        for k in examples:
            yield from self.example(trace, k)
        yield Heading(1, cell(Prose("Over all examples")))
        phase = None
        for step in self._walk.globals:
            if step.phase in ("gradients", "update") and (step.op != "given" or step.name.startswith("clip_")):
                if step.phase != phase:
                    phase = step.phase
                    yield Heading(2, CLOSING_TITLES[phase])
                yield from self.step(step)
        if trace.symbols:
            yield from self.symbols(trace)
        if drift and not self.student:  # a comparison for the teacher, not a blank of the student's
            yield from self.drift(trace, drift)
        if self.elided:
            yield Para(cell(Prose(f"Long vectors and matrices show {self.max_items} entries at most; "
                                  "--full shows every entry, --format json gives every number.")), note=True)

    def setup(self, trace: Trace) -> Blocks:
        sc = trace.scenario
        yield Heading(2, cell(Prose("Parameters")))
        steps = [s for s in self._globals(trace) if s.phase == "setup"]
        yield SideBySide([cell(self.label(s.name)) for s in steps], [self.matrix(s.value, s.name) for s in steps])
        used = {w for ex in sc.examples for w in (ex.tokens or ())}
        if used:
            rows = [[cell(Prose(word)), cell(self.fmt.vector(vec))] for word, vec in sc.embeddings.items() if word in used]
            yield Table(cell(Prose("Embeddings")), [cell(Prose("word")), cell(Prose("embedding"))], rows, left=(0, 1))
        first = f"{self.label('h_fw[0]')} = {self.label('h_bw[T+1]')}" if sc.model.bidirectional else self.label("h[0]")
        states = [f"{first} = {self.fmt.vector(sc.h0)}", Prose("   ")] if sc.model.cell != "mlp" else []
        if sc.model.cell == "lstm":
            states += [f"{self.label('c[0]')} = {self.fmt.vector(sc.c0 or (0,) * sc.model.hidden_size)}", Prose("   ")]
        yield Para(cell(*states, Prose("learning rate "), f"η = {self.fmt(sc.learning_rate)}",
                        Prose(f"   gradients: {sc.reduction} over examples")))
        notes = {"float64": f"Full precision (--round off): every step computes with the unrounded float64 values; "
                            f"the operands shown are those values rounded to {self.fmt.decimals} decimals, so a step "
                            "redone from the numbers shown can differ in its last digit.",
                 "exact": f"Exact arithmetic: rationals stay exact, other values are shown ≈ to {self.fmt.digits} "
                          f"digits; long expressions are named {_prefix(trace)}_1, {_prefix(trace)}_2, … (defined at the end)."}
        if not self.student:
            yield Para(cell(Prose(notes.get(trace.number_system, f"Hand calculation: every written result is "
                                            f"{trace.number_system}, and later steps use the written value."))), note=True)

    def instructions(self, trace: Trace) -> str:
        """What the student is to do, with the rounding rule of the number system."""
        system = trace.number_system
        if system.startswith("hand-"):
            places = system.rsplit(" to ", 1)[1].split()[0]
            verb = "Round" if system.startswith("hand-rounded") else "Truncate (chop the digits of)"
            rule = (f"{verb} every result to {places} decimals and carry the rounded value on to the next step; "
                    "products inside a dot product are written exactly.")
        elif system == "exact":
            rule = f"Keep fractions exact; give other values to {self.fmt.digits} significant digits."
        else:
            rule = (f"Write every result to {self.fmt.decimals} decimals, keeping full precision in your "
                    "calculator for the next step.")
        return ("Fill in every blank; each is labelled with the quantity and entry it holds. The given data "
                f"(weights, embeddings, inputs) are exact. {rule}")

    def example(self, trace: Trace, k: int) -> Blocks:
        ex = trace.scenario.examples[k - 1]
        what = f'"{" ".join(ex.tokens)}"' if ex.tokens else \
            f"x = {self.fmt.vector(ex.inputs[0])}" if trace.scenario.model.cell == "mlp" else f"{ex.steps} input vectors"
        yield Heading(1, cell(Prose(f"Example {k}: {what} → target {ex.target}")))
        if self.figures:
            yield Figure(k)
        phase, group = None, None
        two_way = trace.scenario.model.bidirectional
        for step, mark in self._events(trace, k):
            if step.phase != phase:
                phase, group = step.phase, None
                title = "Backward pass (backpropagation)" if phase == "backward" and trace.scenario.model.cell == "mlp" \
                    else PHASE_TITLES[phase]
                yield Heading(2, cell(Prose(title)))
            if mark is not None:  # a time step not shown: the first of its run stands for the run
                if mark:
                    yield Para(cell(Prose(elision_text(*mark))), note=True)
                continue
            part = _part(step) if two_way else ""
            if (step.t, part) != group and step.phase in ("forward", "backward") and step.t is not None:
                group = (step.t, part)
                yield self.layer(step) if trace.scenario.model.cell == "mlp" else self.timestep(ex, step, part)
            yield from self.step(step)

    def elided_steps(self, trace: Trace, ex: Any) -> tuple[frozenset[int] | None, tuple[str, ...]]:
        """The time steps of an example shown in full (None: all), and the phases whose steps are chosen."""
        if self.steps is None or trace.scenario.model.cell == "mlp":
            return None, ()
        many = trace.scenario.model.outputs_at != "last"
        return self.steps.shown(ex.steps), ("forward", "backward") + (("loss",) if many else ())

    def _part_of(self, trace: Trace):
        """What keeps runs of hidden steps apart: a bidirectional RNN's part of the network, else nothing."""
        return _part if trace.scenario.model.bidirectional else None

    def _globals(self, trace: Trace) -> list[Step]:
        """The steps of no example (parameters, totals, the update), from the walk when `build` made one."""
        known = getattr(self, "_walk", None)
        return known.globals if known is not None else list(trace.of_example(None))

    def _events(self, trace: Trace, k: int):
        """Example k's steps, each marked shown or elided (see `step_walk`), from the walk `build` made."""
        known = getattr(self, "_walk", None)
        if known is None or k not in known.examples:
            ex = trace.scenario.examples[k - 1]
            known = walk(trace, {k: Plan(*self.elided_steps(trace, ex), ex.steps)}, self._part_of(trace))
        return known.examples[k]

    def layer(self, step: Step) -> Heading:
        """An mlp's layer, forward or backward."""
        return Heading(3, cell(Prose(f"Layer {step.t}{' (backward)' if step.phase == 'backward' else ''}")))

    def timestep(self, ex: Any, step: Step, part: str = "") -> Heading:
        """A time step's heading; `part` is a bidirectional RNN's direction, output or input."""
        t, back = step.t, " (backward)" if step.phase == "backward" else ""
        if part == "output":
            return Heading(3, cell(Prose(f"Output at step {t}{back}")))
        if part == "input":
            return Heading(3, cell(Prose(f"Timestep {t}: into the input "), self.label(f"x[{t}]")))
        side = _DIRECTIONS.get(part, "")
        if not 0 < t <= ex.steps:
            into = split(step.name[4:] if back else step.name)[0]
            return Heading(3, cell(Prose(f"{'Into the initial state' if back else 'Initial state'}{side} "),
                                   self.label(f"{into}[{t}]")))
        if back:
            return Heading(3, cell(Prose(f"Timestep {t}{side}{back}")))
        word = (Prose(f"word = {ex.tokens[t - 1]}, "),) if ex.tokens and t else ()
        return Heading(3, cell(Prose(f"Timestep {t}{side}: "), *word,
                               f"{self.label(f'x[{t}]')} = {self.fmt.vector(ex.inputs[t - 1])}"))

    # --- closing sections -------------------------------------------------------------------
    def symbols(self, trace: Trace) -> Blocks:
        rows = [[cell(name), cell(f"{self.label(s.quantity)}{_index(s.index)}"),
                 cell(str(s.definition).replace("**", "^").replace("*", "·")),
                 cell(Value(self.fmt.exact_value(s.approx), None, (s.quantity,)))]
                for name, s in trace.symbols.items()]
        yield Table(cell(Prose("Named values (expressions too long to write out)")),
                    [cell(Prose(h)) for h in ("symbol", "entry", "definition", "value")], rows, left=(0, 1, 2))

    def drift(self, trace: Trace, rows: list) -> Blocks:
        """Each final result by hand and at full precision, at the entry where they differ most."""
        body = []
        for r in rows:
            hand, full, at = np.asarray(r.hand, dtype=object), np.asarray(r.full, dtype=float), r.at
            where = f"[{','.join(str(i + 1) for i in at)}]" if hand.size > 1 else ""
            reveals = ()  # shown on the solution only: neither a blank nor an answer
            body.append([cell(self.label(r.name) + where, *((Prose(f" (example {r.example})"),) if r.example else ())),
                         cell(Value(self.fmt(hand[at]), None, reveals)), cell(Value(self.fmt(full[at], 3), None, reveals)),
                         cell(Value(self.fmt(r.max_abs, 3), None, reveals))])
        yield Table(cell(Prose(f"Drift from full precision ({trace.number_system}; the entry that differs most)")),
                    [cell(Prose(h)) for h in ("quantity", "by hand", "full precision", "difference")], body, left=(0,))


_DIRECTIONS = {"fw": ", left to right", "bw": ", right to left"}


def _part(step: Step) -> str:
    """Which part of a bidirectional RNN a step belongs to: fw, bw, the output, or the input."""
    name = step.name
    if name.startswith("x["):
        return "fw"  # read as the left-to-right RNN first reaches it
    if step.phase == "backward" and name.startswith(("dL/dx[", "W_xh")):
        return "input"
    return next((d for d in _DIRECTIONS if f"_{d}" in name and not name.endswith("(output)")), "output")


def _network(m: Any) -> str:
    """The title's description of the model: `LSTM with 2 units, sigmoid output, bce loss`."""
    if m.cell == "mlp":
        sizes = "-".join(str(n) for n in [m.input_size] + [n for n, _ in m.layers] + [m.output_size])
        kinds = ", ".join(dict.fromkeys(fn for _, fn in m.layers))
        body = f"MLP {sizes} with {kinds} hidden layer{'s' if len(m.layers) > 1 else ''}"
    elif m.cell == "rnn":
        body = f"{'bidirectional ' if m.bidirectional else ''}RNN with {m.activation} hidden layer"
    else:
        body = f"{m.cell.upper()} with {m.hidden_size} units"
    return f"{body}, {m.output} output, {m.loss} loss"


def _prefix(trace: Trace) -> str:
    """The letter of exact mode's named symbols in this trace."""
    return next(iter(trace.symbols), "s_1").split("_")[0]


def _index(index: tuple[int, ...]) -> str:
    return f"[{','.join(map(str, index))}]" if index else ""
