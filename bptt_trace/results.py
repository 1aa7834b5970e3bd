"""What the Python API returns: a trace, a marking, a training report and a gradient-flow report.

Each holds the computed objects, gives its numbers as numpy arrays, writes itself as text, Markdown
(with `$…$` math) and JSON, and displays itself in Jupyter (`_repr_markdown_`). Rendering modules
are imported when a result is shown, not when it is made.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

import numpy as np

from bptt_trace.errors import ScenarioError


def _text(blocks, width: int) -> str:
    """Blocks as the plain terminal text `bptt-trace` prints when piped."""
    from bptt_trace.render.terminal import TerminalWriter
    return "\n".join(line.text for line in TerminalWriter(width).write(blocks)) + "\n"


def _markdown(blocks, title: str) -> str:
    from bptt_trace.render.documents import MarkdownWriter
    return MarkdownWriter().write(blocks, title)


def as_array(value: Any) -> np.ndarray:
    """A recorded value (float64, hand-rounded Decimal or exact) as a float64 numpy array."""
    from bptt_trace.render.json_out import to_jsonable
    return np.asarray(to_jsonable(value), dtype=float)


class Trace:
    """One traced run: values by canonical name (`tr["h[1]"]`, `tr.value("h[1]", example=2)`), and the
    worked calculation as text, Markdown, LaTeX or JSON."""

    def __init__(self, job) -> None:
        self.job = job
        self.raw = job.trace  # bptt_trace.record.steps.Trace: every recorded Step
        self.scenario = job.trace.scenario
        self.examples: list[int] = list(job.chosen)
        self.number_system: str = job.trace.number_system

    def names(self, example: int | None = None) -> list[str]:
        """The reported names of an example (None: the totals and the updated parameters), in order."""
        from bptt_trace.record.names import is_reported
        return [n for n in self.raw.names(example) if is_reported(n)]

    def value(self, name: str, example: int | None = None) -> np.ndarray:
        """The value of `name` for an example (None for totals such as `dL/dW_hh` and `W_hh_new`)."""
        if not self.raw.has(name, example):
            raise KeyError(self._missing(name, example))
        return as_array(self.raw.value(name, example))

    def values(self, example: int | None = None) -> dict[str, np.ndarray]:
        """Every reported value of an example (None: totals and updated parameters) by canonical name."""
        return {n: self.value(n, example) for n in self.names(example)}

    def __getitem__(self, name: str) -> np.ndarray:
        """A total, or a per-example value when only one traced example has it."""
        if self.raw.has(name):
            return self.value(name)
        having = [k for k in self.examples if self.raw.has(name, k)]
        if len(having) > 1:
            raise KeyError(f"'{name}' is recorded for examples {', '.join(map(str, having))}: "
                           f"use .value('{name}', example=N)")
        return self.value(name, having[0] if having else None)

    def _missing(self, name: str, example: int | None) -> str:
        pool = sorted({n for k in [None, *self.examples] for n in self.names(k)})
        close = difflib.get_close_matches(name, pool, n=3)
        where = f"example {example}" if example is not None else "the totals"
        return f"'{name}' is not recorded for {where}" + (f"; did you mean {', '.join(close)}?" if close else "")

    def to_dict(self) -> dict:
        """The JSON document as Python data."""
        return json.loads(self.to_json())

    def to_json(self) -> str:
        """As `bptt-trace run --format json`."""
        from bptt_trace.render.json_out import render_json, render_paths_json
        job = self.job
        return render_paths_json(job.report) if job.report else render_json(job.trace, job.chosen, job.drift)

    def markdown(self, blank: str | None = None, answer_key: bool = False) -> str:
        """The worksheet as Markdown (as `bptt-trace export -o FILE.md`, with its --blank and --answer-key)."""
        import bptt_trace.jobs as jobs
        return jobs.document(self.job, jobs.answers(self.job, blank, answer_key), "markdown")

    def latex(self, blank: str | None = None, answer_key: bool = False) -> str:
        """The worksheet as a standalone LaTeX article."""
        import bptt_trace.jobs as jobs
        from bptt_trace.drawing import latex_figures
        answers = jobs.answers(self.job, blank, answer_key)
        figures = None if self.job.report else latex_figures(self.job, answers)
        return jobs.document(self.job, answers, "latex", figures=figures)

    def draw(self, example: int = 1, phase: str = "both", blank: bool = False) -> "Picture":
        """The unrolled network of one example (as `bptt-trace draw`), shown as SVG in a notebook."""
        from bptt_trace.drawing import render
        if example not in self.job.chosen:
            raise ScenarioError(f"example {example} is not traced; traced: {', '.join(map(str, self.job.chosen))}")
        if phase not in ("forward", "backward", "both"):
            raise ScenarioError(f"phase: expected forward, backward or both, got {phase!r}")
        return Picture(render(self.job, example, "svg", phase, blank))

    def text(self, width: int = 100) -> str:
        """The worked calculation as `bptt-trace run` prints it."""
        import bptt_trace.jobs as jobs
        return _text(jobs.blocks(self.job), width)

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __repr__(self) -> str:
        return (f"<bptt_trace.Trace of '{self.scenario.name}': examples {self.examples}, {self.number_system}, "
                f"{len(self.raw.steps)} steps>")


class Marking:
    """The marking of one or more answer sheets: verdicts, scores, every mistake, the first worked out."""

    def __init__(self, job, sheets: list, klass, asked: int | None = None) -> None:
        self.job, self.sheets, self.klass, self.asked = job, sheets, klass, asked  # marking.classroom.Sheet each
        self.reports = [s.report for s in sheets if s.report is not None]  # marking.checker.Report, one a sheet

    @property
    def report(self):
        """The only (or first) sheet's report."""
        return self.reports[0]

    @property
    def verdicts(self) -> dict[str, str]:
        """`name (example k)` -> verdict, of the first sheet, in computation order."""
        return {_where(v): v.verdict for v in self.report.verdicts}

    @property
    def counts(self) -> dict[str, int]:
        """How many answers of the first sheet got each verdict."""
        return dict(self.report.counts)

    @property
    def has_wrong(self) -> bool:
        """Whether any sheet has an answer wrong, imprecise or malformed, or could not be read (exit code 1)."""
        return any(s.report is None or s.report.has_wrong for s in self.sheets)

    def _sheet(self):
        from bptt_trace.render.check_view import CheckWorksheet
        from bptt_trace.render.labels import Labels
        from bptt_trace.render.numfmt import NumberFormat
        mode = self.job.mode
        view = CheckWorksheet(NumberFormat(mode.decimals, mode.digits), labels=Labels(mode.notation))
        view.asked = self.asked
        return view

    def _blocks(self):
        from bptt_trace.render.check_view import batch_blocks
        from bptt_trace.render.class_view import class_blocks
        view = self._sheet()
        for s in self.sheets:
            if s.report is not None:
                yield from view.build_report(s.report, s)
        if len(self.sheets) > 1:
            yield from batch_blocks(self.sheets, view.label)
            yield from class_blocks(self.klass, view.label)

    def to_json(self) -> str:
        """As `bptt-trace check --format json`."""
        from bptt_trace.render.check_view import report_json
        return report_json(self.sheets, self._sheet(), self.klass, self.job.trace.scenario.name)

    def to_dict(self) -> Any:
        return json.loads(self.to_json())

    def markdown(self) -> str:
        return _markdown(self._blocks(), f"marking for {self.job.trace.scenario.name}")

    def text(self, width: int = 100) -> str:
        return _text(self._blocks(), width)

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {k}" for k, n in self.report.counts.items() if n)
        return f"<bptt_trace.Marking of {len(self.reports)} sheet(s): {counts or 'no answers'}>"


def _where(v) -> str:
    a = v.answer
    return (v.name or a.name) + ("" if a.example is None else f" (example {a.example})")


class TrainingReport:
    """Training over epochs: `losses`, `epoch_losses`, `predictions`, `parameters`, `accuracy`, … as the
    training analysis computed them, the traced epoch, and its rendering."""

    def __init__(self, run, update: str) -> None:
        self.run, self.update = run, update  # bptt_trace.analysis.training.Training

    def __getattr__(self, name: str) -> Any:
        if name in ("losses", "epoch_losses", "predictions", "parameters", "traces", "traced_epoch", "correct",
                    "accuracy", "all_correct_from"):
            return getattr(self.run, name)
        raise AttributeError(name)

    def _blocks(self, full: bool = False):
        from bptt_trace.render.training_view import TrainingSheet
        return TrainingSheet(max_items=10**9 if full else 8).build_training(self.run, self.update, 100)

    def to_json(self) -> str:
        """As `bptt-trace train --format json`."""
        from bptt_trace.render.training_view import training_json
        return training_json(self.run)

    def markdown(self, full: bool = False) -> str:
        return _markdown(self._blocks(full), f"training {self.run.traces[0].scenario.name}")

    def text(self, width: int = 100) -> str:
        return _text(self._blocks(), width)

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __repr__(self) -> str:
        n = len(self.run.epoch_losses)
        return (f"<bptt_trace.TrainingReport: {n} epochs, {self.update} updates, loss {self.run.epoch_losses[0]:.4g}"
                f" -> {self.run.epoch_losses[-1]:.4g}>")


class GradientReport:
    """The gradient flow of one example: per direction, ‖dL/dh_t‖, the Jacobian products and the reading."""

    def __init__(self, title: str, flows: list) -> None:
        self.title, self.flows = title, flows  # bptt_trace.analysis.gradient_flow.GradientFlow, one per direction

    @property
    def reading(self) -> str:
        """vanishing, exploding or stable (of the first direction)."""
        return self.flows[0].reading

    def _blocks(self):
        from bptt_trace.render.gradflow_view import GradientFlowSheet
        sheet = GradientFlowSheet(max_items=12)
        return (b for flow in self.flows for b in sheet.build_flow(flow, self.title, 100))

    def to_json(self) -> str:
        """As `bptt-trace gradients --format json`."""
        from bptt_trace.render.gradflow_view import flow_json
        return flow_json(self.flows)

    def svg(self) -> str:
        """The norms against t as an SVG chart (as `gradients -o flow.svg`)."""
        from bptt_trace.render.gradflow_view import flow_svg
        return flow_svg(self.flows, self.title)

    def markdown(self) -> str:
        return _markdown(self._blocks(), f"gradient flow {self.title}")

    def text(self, width: int = 100) -> str:
        return _text(self._blocks(), width)

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __repr__(self) -> str:
        return f"<bptt_trace.GradientReport of '{self.title}': {self.reading}>"


class Picture:
    """A drawing of the unrolled network: its SVG text, displayed as an image in Jupyter."""

    def __init__(self, svg: str) -> None:
        self.svg = svg

    def _repr_svg_(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return f"<bptt_trace.Picture: SVG of {len(self.svg):,} characters>"
