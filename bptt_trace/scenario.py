"""The validated, frozen scenario: model options, exact parameters (Fractions), examples, training."""

from __future__ import annotations

from typing import NamedTuple

from fractions import Fraction

Vector = tuple[Fraction, ...]
Matrix = tuple[Vector, ...]

CELLS = ("rnn",)
ACTIVATIONS = ("tanh", "sigmoid", "relu")
OUTPUTS = ("sigmoid", "softmax", "identity")
LOSSES = ("bce", "ce", "mse")
OUTPUTS_AT = ("last", "every")
REDUCTIONS = ("sum", "mean")
UPDATES = ("batch", "example")  # training: one update per epoch, or one per example
# Which output activation each loss goes with.
LOSS_OUTPUTS = {"bce": ("sigmoid",), "ce": ("softmax",), "mse": ("identity", "sigmoid")}
PARAMETER_NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")


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

    round: int | None = None
    round_mode: str = "round"
    decimals: int | None = None
    digits: int | None = None
    notation: str | dict[str, str] | None = None
    tolerance: str | None = None  # the scenario's `check: {tolerance: ...}` for the homework checker


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

    def output_steps(self, example: Example) -> tuple[int, ...]:
        """The time steps (from 1) that produce an output and a loss."""
        if self.model.outputs_at == "every":
            return tuple(range(1, example.steps + 1))
        return (example.steps,)
