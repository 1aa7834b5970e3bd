"""The gradient-flow report as worksheet blocks, and as JSON."""

from __future__ import annotations

import json

from bptt_trace.gradflow import EXPLODING, VANISHING, GradientFlow
from bptt_trace.render.blocks import Heading, Para, Pre, Prose, Table, cell
from bptt_trace.render.chart import text_chart
from bptt_trace.render.worksheet import Blocks, Worksheet

READINGS = {"vanishing": f"vanishing: less than {VANISHING:g} of a gradient at the last step reaches the first",
            "exploding": f"exploding: a gradient at the last step reaches the first more than {EXPLODING:g} times larger",
            "stable": "stable: the gradient neither vanishes nor explodes over this sequence"}


class GradientFlowSheet(Worksheet):
    """Shares the worksheet's number format, labels and elision."""

    def build_flow(self, flow: GradientFlow, title: str, width: int = 80) -> Blocks:
        """W_hh's spectrum (RNN), a table of the norms per step, the chart, and the reading."""
        h = self.label.sym["h"]
        state = f"[{h}; c]" if flow.cell == "lstm" else h
        yield Heading(1, cell(Prose(f"Gradient flow: {title}, example {flow.example}")))
        if flow.singular_values is not None:
            yield Para(cell(Prose("Singular values of "), self.label("W_hh"), Prose(": "),
                            ", ".join(self.fmt(s) for s in flow.singular_values), Prose("; spectral radius "),
                            self.fmt(flow.spectral_radius)))
        cell_state = flow.dc_norms is not None
        columns = [flow.dh_norms] + [flow.dc_norms] * cell_state + [flow.jacobian_norms]
        rows = [[cell("…")] + [()] * len(columns) if i is None else
                [cell(str(flow.steps[i]))] + [cell(self.fmt(norms[i])) for norms in columns]
                for i in self.indices(len(flow.steps))]
        T = flow.steps[-1]
        yield Table(None, [cell("t"), cell(f"‖δ{h}_t‖")] + [cell("‖δc_t‖")] * cell_state +
                    [cell(f"‖∂{state}_{T}/∂{state}_t‖")], rows)
        yield Para(cell(f"‖δ{h}_t‖", Prose(" against t, log scale:")))
        yield Pre(text_chart(flow.steps, flow.dh_norms, max(20, width - 12)))
        if cell_state:
            yield Para(cell("‖δc_t‖", Prose(" against t, log scale:")))
            yield Pre(text_chart(flow.steps, flow.dc_norms, max(20, width - 12)))
        yield Para(cell(Prose(f"Reading: {READINGS[flow.reading]} (Jacobian product over the sequence "
                              f"{self.fmt(flow.jacobian_norms[0])}, about {self.fmt(flow.per_step)} per step).")))
        if len(flow.steps) > 1:
            kept = [f"hidden state ‖δ{h}_1‖/‖δ{h}_{T}‖ = {self.fmt(kept_share(flow.dh_norms))}"]
            if cell_state:
                kept.append(f"cell state ‖δc_1‖/‖δc_{T}‖ = {self.fmt(kept_share(flow.dc_norms))}")
            yield Para(cell(Prose(f"Gradient kept from step {T} back to step 1: "), "; ".join(kept), Prose(".")))


def kept_share(norms: list[float]) -> float:
    """How much of the gradient at the last step is left at the first: ‖δ_1‖/‖δ_T‖."""
    return norms[0] / norms[-1] if norms[-1] else 0.0


def flow_json(flow: GradientFlow) -> str:
    """Every norm of the report, for other programs."""
    return json.dumps(flow._asdict(), indent=2, allow_nan=False) + "\n"
