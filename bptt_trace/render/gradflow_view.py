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
        """W_hh's spectrum, a table of the norms per step, the chart, and the reading."""
        W, h = self.label("W_hh"), self.label.sym["h"]
        yield Heading(1, cell(Prose(f"Gradient flow: {title}, example {flow.example}")))
        yield Para(cell(Prose("Singular values of "), W, Prose(": "),
                        ", ".join(self.fmt(s) for s in flow.singular_values), Prose("; spectral radius "),
                        self.fmt(flow.spectral_radius)))
        rows = [[cell("…"), (), ()] if i is None else
                [cell(str(flow.steps[i])), cell(self.fmt(flow.dh_norms[i])), cell(self.fmt(flow.jacobian_norms[i]))]
                for i in self.indices(len(flow.steps))]
        T = flow.steps[-1]
        yield Table(None, [cell("t"), cell(f"‖δ{h}_t‖"), cell(f"‖∂{h}_{T}/∂{h}_t‖")], rows)
        yield Para(cell(f"‖δ{h}_t‖", Prose(" against t, log scale:")))
        yield Pre(text_chart(flow.steps, flow.dh_norms, max(20, width - 12)))
        yield Para(cell(Prose(f"Reading: {READINGS[flow.reading]} (Jacobian product over the sequence "
                              f"{self.fmt(flow.jacobian_norms[0])}, about {self.fmt(flow.per_step)} per step).")))


def flow_json(flow: GradientFlow) -> str:
    """Every norm of the report, for other programs."""
    return json.dumps(flow._asdict(), indent=2, allow_nan=False) + "\n"
