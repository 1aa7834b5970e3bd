"""The gradient-flow report as worksheet blocks, and as JSON."""

from __future__ import annotations

import json

from bptt_trace.render.safe_text import json_text
from bptt_trace.analysis.gradient_flow import EXPLODING, VANISHING, GradientFlow
from bptt_trace.render.blocks import Heading, Para, Pre, Prose, Table, cell
from bptt_trace.render.chart import svg_chart, text_chart
from bptt_trace.render.worksheet import Blocks, Worksheet

READINGS = {"vanishing": f"vanishing: less than {VANISHING:g} of a gradient at the last step reaches the first",
            "exploding": f"exploding: a gradient at the last step reaches the first more than {EXPLODING:g} times larger",
            "stable": "stable: the gradient neither vanishes nor explodes over this sequence"}


class GradientFlowSheet(Worksheet):
    """Shares the worksheet's number format, labels and elision."""

    def build_flow(self, flow: GradientFlow, title: str, width: int = 80) -> Blocks:
        """W_hh's spectrum (RNN), a table of the norms per step, the chart, and the reading."""
        sfx = f"_{flow.direction}" if flow.direction else ""
        h = lambda t: self.label(f"h{sfx}[{t}]")  # noqa: E731
        state = (lambda t: f"[{h(t)}; c_{t}]") if flow.cell == "lstm" else h
        first, last = flow.path[0], flow.path[-1]
        side = {"fw": " (left to right)", "bw": " (right to left)"}.get(flow.direction, "")
        yield Heading(1, cell(Prose(f"Gradient flow: {title}{side}, example {flow.example}")))
        if flow.singular_values is not None:
            yield Para(cell(Prose("Singular values of "), self.label(f"W_hh{sfx}"), Prose(": "),
                            ", ".join(self.fmt(s) for s in flow.singular_values), Prose("; spectral radius "),
                            self.fmt(flow.spectral_radius)))
        cell_state = flow.dc_norms is not None
        columns = [flow.dh_norms] + [flow.dc_norms] * cell_state + [flow.jacobian_norms]
        rows = [[cell("…")] + [()] * len(columns) if i is None else
                [cell(str(flow.steps[i]))] + [cell(self.fmt(norms[i])) for norms in columns]
                for i in self.indices(len(flow.steps))]
        yield Table(None, [cell("t"), cell(f"‖δ{h('t')}‖")] + [cell("‖δc_t‖")] * cell_state +
                    [cell(f"‖∂{state(first)}/∂{state('t')}‖")], rows)
        yield Para(cell(f"‖δ{h('t')}‖", Prose(" against t, log scale:")))
        yield Pre(text_chart(flow.steps, flow.dh_norms, max(20, width - 12)))
        if cell_state:
            yield Para(cell("‖δc_t‖", Prose(" against t, log scale:")))
            yield Pre(text_chart(flow.steps, flow.dc_norms, max(20, width - 12)))
        yield Para(cell(Prose(f"Reading: {READINGS[flow.reading]} (Jacobian product over the sequence "
                              f"{self.fmt(flow.jacobian_norms[last - 1])}, about {self.fmt(flow.per_step)} per step).")))
        if flow.spectral_radius is not None:
            yield Para(cell(Prose(self.eigenvalue_rule(flow, self.label(f"W_hh{sfx}")))))
        if len(flow.steps) > 1:
            kept = [f"hidden state ‖δ{h(last)}‖/‖δ{h(first)}‖ = {self.fmt(kept_share(flow, flow.dh_norms))}"]
            if cell_state:
                kept.append(f"cell state ‖δc_{last}‖/‖δc_{first}‖ = {self.fmt(kept_share(flow, flow.dc_norms))}")
            yield Para(cell(Prose(f"Gradient kept from step {first} back to step {last}: "), "; ".join(kept),
                            Prose(".")))


    def eigenvalue_rule(self, flow: GradientFlow, weight: str) -> str:
        """The lecture's eigenvalue rule, what it predicts, and what this sequence's length shows."""
        rho, steps = flow.spectral_radius, len(flow.steps)
        if rho < 1:
            rule = (f"Eigenvalue rule: the spectral radius of {weight} is {self.fmt(rho)} < 1, so the rule predicts "
                    "vanishing gradients over long sequences: each step back multiplies the gradient by "
                    f"diag(f′)·{weight}, which shrinks it (|f′| ≤ 1 only shrinks it further).")
        elif rho > 1:
            rule = (f"Eigenvalue rule: the spectral radius of {weight} is {self.fmt(rho)} > 1, so the rule allows "
                    "exploding gradients over long sequences (the activation's slopes f′ < 1 may still damp them).")
        else:
            rule = f"Eigenvalue rule: the spectral radius of {weight} is 1, on the border between the two."
        n, word = flow.steps_to_reading, "vanish" if flow.per_step < 1 else "explode"
        where = "" if n is None else (f" At this sequence's rate, about {self.fmt(flow.per_step)} per step, the "
                                      f"gradient would {word} (pass {VANISHING if word == 'vanish' else EXPLODING:g}) "
                                      f"after about {n} steps.")
        return f"{rule} Over this sequence's {steps} steps the reading is {flow.reading}.{where}"


def kept_share(flow: GradientFlow, norms: list[float]) -> float:
    """How much of the gradient at the state's last step is left at its first: ‖δ_1‖/‖δ_T‖."""
    at = lambda t: norms[t - 1]  # noqa: E731
    return at(flow.path[-1]) / at(flow.path[0]) if at(flow.path[0]) else 0.0


def flow_json(flows: list[GradientFlow]) -> str:
    """Every norm of the report, for other programs: one object, or a list of one per direction."""
    doc = [f._asdict() for f in flows]
    return json_text(json.dumps(doc if len(doc) > 1 else doc[0], indent=2, allow_nan=False)) + "\n"


def flow_svg(flows: list[GradientFlow], title: str) -> str:
    """The norms against t as an SVG chart: ‖dL/dh_t‖ (and ‖dL/dc_t‖) and the Jacobian products."""
    lines = {}
    for flow in flows:
        side = f" ({flow.direction})" if flow.direction else ""
        lines[f"‖dL/dh_t‖{side}"] = flow.dh_norms
        if flow.dc_norms:
            lines["‖dL/dc_t‖"] = flow.dc_norms
        lines[f"‖ds_T/ds_t‖ (Jacobian product){side}"] = flow.jacobian_norms
    return svg_chart(f"{title}, example {flows[0].example}", flows[0].steps, lines)
