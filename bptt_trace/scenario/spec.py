"""The validated, frozen scenario: model options, exact parameters (Fractions), examples, training."""

from __future__ import annotations

from typing import NamedTuple

from fractions import Fraction

Vector = tuple[Fraction, ...]
Matrix = tuple[Vector, ...]

CELLS = ("rnn", "lstm", "gru", "mlp")
ACTIVATIONS = ("tanh", "sigmoid", "relu")
LAYER_ACTIVATIONS = ACTIVATIONS + ("identity",)  # an mlp layer may be linear, to show why XOR needs a nonlinearity
OUTPUTS = ("sigmoid", "softmax", "identity")
LOSSES = ("bce", "ce", "mse")
OUTPUTS_AT = ("last", "every")
REDUCTIONS = ("sum", "mean")
UPDATES = ("batch", "example")  # training: one update per epoch, or one per example
# Which output activation each loss goes with.
LOSS_OUTPUTS = {"bce": ("sigmoid",), "ce": ("softmax",), "mse": ("identity", "sigmoid")}
PARAMETER_NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")  # the vanilla RNN's
# Gated cells: one input weight W_g, recurrent weight U_g and bias b_g per gate g, in this order.
GATES = {"lstm": ("f", "i", "c", "o"), "gru": ("u", "r", "h")}
DIRECTIONS = ("fw", "bw")  # a bidirectional RNN's left-to-right and right-to-left halves


class Model(NamedTuple):
    """The network's shape and functions."""

    cell: str
    hidden_size: int
    input_size: int
    output_size: int
    activation: str
    output: str
    loss: str
    outputs_at: str
    bidirectional: bool = False
    layers: tuple[tuple[int, str], ...] = ()  # mlp: (size, activation) of each hidden layer
    loss_at: str = ""  # "every" or "last"; "" means where the outputs are


def parameter_names(model: Model) -> tuple[str, ...]:
    """The model's parameters by canonical name, in the order they are listed and updated."""
    if model.cell == "mlp":
        return tuple(f"{p}_{n}" for n in range(1, len(model.layers) + 2) for p in ("W", "b"))
    if model.cell in GATES:
        return tuple(f"{p}_{g}" for g in GATES[model.cell] for p in ("W", "U", "b")) + ("W_hy", "b_y")
    if model.bidirectional:
        return tuple(f"{p}_{d}" for d in DIRECTIONS for p in ("W_xh", "W_hh", "b_h")) + ("W_hy", "b_y")
    return PARAMETER_NAMES


class Example(NamedTuple):
    """One training sequence: its inputs per step, the words they came from, and its targets.

    `targets` holds one target vector per output step (one-hot for `ce`); `target` is the
    target as the file wrote it, for display.
    """

    inputs: tuple[Vector, ...]
    tokens: tuple[str, ...] | None
    targets: tuple[Vector, ...]
    target: object

    @property
    def steps(self) -> int:
        """The sequence length T."""
        return len(self.inputs)


class Display(NamedTuple):
    """How the scenario asks to be shown by default; command-line options override each."""

    round: int | str | None = None  # decimals, "off" (full precision), or None: the command's default
    round_mode: str = "round"
    decimals: int | None = None
    digits: int | None = None
    notation: str | dict[str, str] | None = None
    tolerance: str | None = None  # the scenario's `check: {tolerance: ...}` for the homework checker


class CheckSpec(NamedTuple):
    """The scenario's `check:` settings for the homework checker."""

    tolerance: str | None = None
    decimals: int | None = None  # decimals the assignment asks for (default: the display decimals)
    points: Fraction = Fraction(1)  # per answer, unless `per_quantity` names it (or its stem)
    per_quantity: tuple[tuple[str, Fraction], ...] = ()
    carried_forward: Fraction = Fraction(1)  # share of the points a carried-forward answer earns
    imprecise: Fraction = Fraction(0)  # share of the points an imprecise answer earns
class Variants(NamedTuple):
    """What a per-student variant draws anew (the scenario's `variants:` block), and what makes a good one.

    `vary` names parameters, `embeddings` (every word), `embeddings.WORD`, or `inputs` (examples' raw
    inputs). Values are drawn on `grid` within [low, high], never 0.
    """

    vary: tuple[str, ...]
    grid: Fraction = Fraction(1, 10)
    low: Fraction = Fraction(-1, 2)
    high: Fraction = Fraction(1, 2)
    max_pre_activation: Fraction = Fraction(3, 2)  # |z| into tanh or sigmoid, kept out of saturation
    max_drift: Fraction | None = None  # hand rounding's drift on the final answers; default 5 units of the last decimal
    max_draws: int = 1000  # draws tried per student before giving up


class Scenario(NamedTuple):
    """Everything one run needs, exact and validated."""

    name: str
    description: str
    model: Model
    parameters: dict[str, Vector | Matrix]
    h0: Vector
    embeddings: dict[str, Vector]
    examples: tuple[Example, ...]
    learning_rate: Fraction
    reduction: str
    display: Display = Display()
    epochs: int = 1
    update: str = "batch"
    truncate: int | None = None  # truncated BPTT: each loss's gradient flows back at most this many steps
    clip: tuple[str, Fraction] | None = None  # ("norm", c) or ("value", c)
    c0: Vector | None = None  # an LSTM's initial cell state
    check: CheckSpec = CheckSpec()  # the homework checker's settings
    variants: Variants | None = None  # how per-student variants are drawn; None: every parameter varies

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """The canonical parameter names of this scenario's model."""
        return parameter_names(self.model)

    def prediction(self, example: Example) -> str:
        """The canonical name of an example's final output ŷ: `y_hat[T]`, or `y_hat` for an mlp."""
        return "y_hat" if self.model.cell == "mlp" else f"y_hat[{example.steps}]"

    def output_steps(self, example: Example) -> tuple[int, ...]:
        """The time steps (from 1) that produce an output."""
        if self.model.outputs_at == "every":
            return tuple(range(1, example.steps + 1))
        return (example.steps,)

    def loss_steps(self, example: Example) -> tuple[int, ...]:
        """The time steps (from 1) whose output has a target and a loss: every output, or the last only
        (`outputs_at: every` with `loss_at: last`, as the lecture's "I love AI")."""
        return (example.steps,) if self.model.loss_at == "last" else self.output_steps(example)
