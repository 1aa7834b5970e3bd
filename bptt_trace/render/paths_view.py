"""Terminal view of chain-rule paths: each path's chain, the Jacobians, the values and the check."""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np

from bptt_trace.paths import PathReport
from bptt_trace.render.layout import Line, table
from bptt_trace.render.terminal import Lines, TerminalRenderer
from bptt_trace.trace import Trace


class PathsRenderer(TerminalRenderer):
    """Shares the number format, labels and elision of the terminal renderer."""

    def render_paths(self, report: PathReport, trace: Trace) -> Lines:
        """For each example: the chains, the Jacobians written out, then values, sum and check."""
        target = self.label(report.param) + ("" if report.entry is None else
                                             f"[{','.join(str(i + 1) for i in report.entry)}]")
        yield Line("Paths are formed from the full-precision (float64) values.", "dim")
        for ex in report.examples:
            sc_ex = trace.scenario.examples[ex.example - 1]
            what = f'"{" ".join(sc_ex.tokens)}"' if sc_ex.tokens else f"{sc_ex.steps} input vectors"
            yield Line(f"Chain-rule paths of ∂L/∂{target}, example {ex.example}: {what}", "bold underline")
            yield Line(f"∂L/∂{target} = sum over every path from a loss back to a step where {self.label(report.param)}"
                       " is used:")
            shown = self.indices(len(ex.paths))
            for i in shown:
                if i is None:
                    yield Line("  …")
                    continue
                p = ex.paths[i]
                chain = f"{self.path_name(p, report)}: " + " · ".join(self.label(f) for f in p.factors)
                yield from (Line(s) for s in textwrap.wrap(chain, self.width, initial_indent="  ",
                                                          subsequent_indent="      ", break_on_hyphens=False))
            yield from self.jacobians(ex.jacobians, report)
            yield from self.values(ex, report, shown)
            mark = "agree" if ex.agrees else "DO NOT AGREE"
            yield Line(f"Σ paths − BPTT ∂L/∂{target}: largest difference {self.fmt(ex.max_abs_difference, 3)}, "
                       f"the paths and BPTT {mark}", "bold" if ex.agrees else "bold red")

    def path_name(self, p: Any, report: PathReport) -> str:
        many = len({q.output_step for ex in report.examples for q in ex.paths}) > 1
        return f"path loss_{p.output_step}→t={p.use_step}" if many else f"path t={p.use_step}"

    def jacobians(self, jac: dict[int, np.ndarray], report: PathReport) -> Lines:
        if not jac:
            return
        h, z = self.label.sym["h"], self.label.sym["z"]
        yield Line(f"Jacobians ∂{h}_t/∂{h}_(t−1) = diag(f′({z}_t))·{self.label('W_hh')}:")
        for t in self.indices(len(jac)):
            if t is None:
                yield Line("  …")
                continue
            step = sorted(jac)[::-1][t]
            yield Line("  " + self.label(f"dh[{step}]/dh[{step - 1}]") + " =", "")
            yield from (Line("    " + s) for s in self.grid(jac[step]))

    def values(self, ex: Any, report: PathReport, shown: list) -> Lines:
        """Rows: the entries of the gradient; columns: each path's value, their sum, BPTT's value."""
        value = np.asarray(ex.bptt)
        entries = [()] if value.ndim == 0 else [(i,) for i in self.indices(value.shape[0])] if value.ndim == 1 \
            else [(i, j) for i in self.indices(value.shape[0]) for j in self.indices(value.shape[1])]
        headers = ["entry"] + ["…" if i is None else self.path_name(ex.paths[i], report).replace("path ", "")
                               for i in shown] + ["Σ paths", "BPTT"]
        rows = []
        for e in entries:
            if None in e:
                rows.append(["…"] + [""] * (len(headers) - 1))
                continue
            cells = ["…" if i is None else self.fmt(np.asarray(ex.paths[i].value)[e], 1) for i in shown]
            name = ",".join(str(i + 1) for i in e) if e else ",".join(str(i + 1) for i in report.entry or ())
            rows.append([name] + cells + [self.fmt(np.asarray(ex.total)[e], 1), self.fmt(value[e], 1)])
        yield from table("Each path's value", headers, rows)
