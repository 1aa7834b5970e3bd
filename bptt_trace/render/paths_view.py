"""Chain-rule paths as worksheet blocks: each path's chain, the Jacobians, the values and the check."""

from __future__ import annotations

from typing import Any

import numpy as np

from bptt_trace.analysis.paths import PathReport
from bptt_trace.render.blocks import Heading, Matrix, Para, Prose, Table, Value, cell
from bptt_trace.render.worksheet import Blocks, Worksheet
from bptt_trace.record.steps import Trace


class PathsWorksheet(Worksheet):
    """Shares the number format, labels and elision of the worksheet."""

    def build_paths(self, report: PathReport, trace: Trace) -> Blocks:
        """For each example: the chains, the Jacobians written out, then values, sum and check."""
        target = self.label(report.param) + ("" if report.entry is None else
                                             f"[{','.join(str(i + 1) for i in report.entry)}]")
        yield Para(cell(Prose("Paths are formed from the full-precision (float64) values.")), note=True)
        for ex in report.examples:
            sc_ex = trace.scenario.examples[ex.example - 1]
            what = f'"{" ".join(sc_ex.tokens)}"' if sc_ex.tokens else f"{sc_ex.steps} input vectors"
            yield Heading(2, cell(Prose("Chain-rule paths of "), f"∂L/∂{target}", Prose(f", example {ex.example}: {what}")))
            yield Para(cell(f"∂L/∂{target}", Prose(" = sum over every path from a loss back to a step where "),
                            self.label(report.param), Prose(" is used:")))
            shown = self.indices(len(ex.paths))
            for i in shown:
                if i is None:
                    yield Para(cell("…"), indent=2)
                    continue
                p = ex.paths[i]
                yield Para(cell(Prose(f"{self.path_name(p, ex)}: "), " · ".join(self.label(f) for f in p.factors)),
                           indent=2)
            yield from self.jacobians(ex.jacobians)
            yield from self.values(ex, report, shown, target)
            mark = "agree" if ex.agrees else "DO NOT AGREE"
            yield Para(cell(f"Σ paths − BPTT ∂L/∂{target}", Prose(": largest difference "),
                            self.fmt(ex.max_abs_difference, 3), Prose(f", the paths and BPTT {mark}")))

    def path_name(self, p: Any, ex: Any) -> str:
        many = len({q.output_step for q in ex.paths}) > 1  # a loss at several steps: say which
        return f"path loss_{p.output_step}→t={p.use_step}" if many else f"path t={p.use_step}"

    def jacobians(self, jac: dict[int, np.ndarray]) -> Blocks:
        if not jac:
            return
        h, z = self.label.sym["h"], self.label.sym["z"]
        yield Para(cell(Prose("Jacobians "), f"∂{h}_t/∂{h}_(t−1) = diag(f′({z}_t))·{self.label('W_hh')}", Prose(":")))
        order = sorted(jac)[::-1]
        for t in self.indices(len(order)):
            if t is None:
                yield Para(cell("…"), indent=2)
                continue
            step = order[t]
            name = f"dh[{step}]/dh[{step - 1}]"
            yield Matrix(self.matrix(jac[step], name).rows, cell(f"{self.label(name)} ="))

    def values(self, ex: Any, report: PathReport, shown: list, target: str) -> Blocks:
        """Rows: the entries of the gradient; columns: each path's value, their sum, BPTT's value."""
        value = np.asarray(ex.bptt)
        entries = [()] if value.ndim == 0 else [(i,) for i in self.indices(value.shape[0])] if value.ndim == 1 \
            else [(i, j) for i in self.indices(value.shape[0]) for j in self.indices(value.shape[1])]
        headers = [cell(Prose("entry"))] + [cell("…" if i is None else self.path_name(ex.paths[i], ex)[5:])
                                            for i in shown] + [cell("Σ paths"), cell("BPTT")]
        reveals = (f"dL/d{report.param}",)
        rows = []
        for e in entries:
            if None in e:
                rows.append([cell("…")] + [()] * (len(headers) - 1))
                continue
            cells = [cell("…") if i is None else cell(Value(self.fmt(np.asarray(ex.paths[i].value)[e], 1), None, reveals))
                     for i in shown]
            name = ",".join(str(i + 1) for i in e) if e else ",".join(str(i + 1) for i in report.entry or ())
            rows.append([cell(name)] + cells + [cell(Value(self.fmt(np.asarray(ex.total)[e], 1), None, reveals)),
                                                cell(Value(self.fmt(value[e], 1), None, reveals))])
        yield Table(cell(Prose("Each path's value")), headers, rows)
