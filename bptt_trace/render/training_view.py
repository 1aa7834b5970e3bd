"""Training as worksheet blocks: the traced epoch's worked updates, losses per epoch, the chart,
predictions and final parameters; and as JSON."""

from __future__ import annotations

import json

from bptt_trace.render.safe_text import json_text
from bptt_trace.render.blocks import Heading, Para, Pre, Prose, SideBySide, Table, cell
from bptt_trace.render.chart import text_chart
from bptt_trace.render.json_out import to_jsonable
from bptt_trace.render.worksheet import Blocks, Worksheet
from bptt_trace.analysis.training import Training


class TrainingSheet(Worksheet):
    """Shares the worksheet's number format, labels, elision and the worked trace itself."""

    def build_training(self, run: Training, update: str, width: int = 80) -> Blocks:
        sc = run.traces[0].scenario
        n = len(sc.examples)
        for i, trace in enumerate(run.traces):
            examples = list(range(1, n + 1)) if update == "batch" else [i + 1]
            what = "" if update == "batch" else f", update {i + 1} of {n} (example {i + 1})"
            yield Heading(1, cell(Prose(f"Epoch {run.traced_epoch}{what}: the worked calculation")))
            yield from self.build(trace, examples)
        epochs = len(run.epoch_losses)
        yield Heading(1, cell(Prose(f"Training: {epochs} epochs, {update} updates, learning rate "),
                              self.fmt(sc.learning_rate)))
        right = run.accuracy is not None
        rows = [[cell("…")] + [()] * (n + 1 + right) if e is None else
                [cell(str(e + 1))] + [cell(self.fmt(x)) for x in run.losses[e]] + [cell(self.fmt(run.epoch_losses[e]))] +
                ([cell(f"{run.accuracy[e]}/{n}")] if right else [])
                for e in self.indices(epochs)]
        when = "measured before each epoch's updates" if update == "batch" else \
            "each example's loss and prediction just before its own update"
        yield Table(cell(Prose(f"Loss per epoch ({when})")),
                    [cell(Prose("epoch"))] + [cell(Prose(f"example {k}")) for k in range(1, n + 1)] +
                    [cell(Prose("total"))] + [cell(Prose("correct"))] * right, rows)
        if epochs > 1:
            yield Para(cell(Prose("Total loss per epoch, log scale:")))
            yield Pre(text_chart(list(range(1, epochs + 1)), run.epoch_losses, max(20, width - 12), x_name="epoch"))
        marks = [(cell(Prose("yes" if ok else "no")),) for ok in run.correct] if run.correct else [()] * n
        rows = [[cell(str(k)), cell(Prose(" ".join(ex.tokens))) if ex.tokens else
                 cell(self.fmt.vector(ex.inputs[0])) if sc.model.cell == "mlp" else cell(Prose(f"{ex.steps} input vectors")),
                 cell(str(ex.target)), cell(self.fmt.vector(p)), *mark] for k, (ex, p, mark) in
                enumerate(zip(sc.examples, run.predictions, marks), start=1)]
        yield Table(cell(Prose("Predictions after training")), [cell(Prose(h)) for h in ("example", "input", "target")]
                    + [cell("ŷ")] + [cell(Prose("correct"))] * bool(run.correct), rows, left=(1,))
        if run.correct:
            since = run.all_correct_from
            after = f"; all {n} from epoch {since} on" if since else ""
            yield Para(cell(Prose(f"Accuracy after training: {sum(run.correct)} of {n} examples classified "
                                  f"correctly{after}.")))
        yield SideBySide([cell(self.label(p)) for p in run.parameters],
                         [self.matrix(run.parameters[p], p) for p in run.parameters], cell(Prose("Final parameters")))

    def build_diverged(self, epoch: int, epoch_losses: list[float]) -> Blocks:
        """What a diverged run computed: the total loss of each epoch completed before `epoch`."""
        yield Heading(1, cell(Prose(f"Training diverged in epoch {epoch}: the losses computed before it")))
        yield Table(None, [cell(Prose("epoch")), cell(Prose("total loss"))],
                    [[cell(str(e)), cell(self.fmt(x))] for e, x in enumerate(epoch_losses, start=1)])


def diverged_json(epoch: int, epoch_losses: list[float]) -> str:
    """The epoch that diverged and the total losses of the epochs before it."""
    return json_text(json.dumps({"diverged_in_epoch": epoch, "epoch_losses": epoch_losses}, indent=2, allow_nan=False)) + "\n"


def training_json(run: Training) -> str:
    """Losses per epoch and example, predictions and final parameters."""
    return json_text(json.dumps({"losses": run.losses, "epoch_losses": run.epoch_losses, "predictions": run.predictions,
                       "correct": run.correct, "accuracy": run.accuracy, "all_correct_from": run.all_correct_from,
                       "parameters": {p: to_jsonable(v) for p, v in run.parameters.items()}},
                      indent=2, allow_nan=False)) + "\n"


def training_svg(run: Training, title: str) -> str:
    """The total loss per epoch as an SVG chart (log scale), like the gradient-flow chart."""
    from bptt_trace.render.chart import svg_chart
    epochs = list(range(1, len(run.epoch_losses) + 1))
    return svg_chart(f"{title}: loss per epoch", epochs, {"total loss": run.epoch_losses}, x_name="epoch")
