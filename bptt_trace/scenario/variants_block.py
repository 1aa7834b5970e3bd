"""Reading a scenario's `variants:` block: what per-student variants draw anew, on which grid, and the
bounds that make a draw a good exercise.

    variants:
      vary: [W_xh, W_hh, b_h, W_hy, b_y, embeddings]   # or embeddings.WORD, or inputs
      grid: 0.1                # values are whole multiples of this
      range: [-0.5, 0.5]       # never 0
      max_pre_activation: 1.5  # |z| into tanh or sigmoid
      max_drift: 0.005         # hand rounding's drift on the final answers
      max_draws: 1000          # draws tried per student
"""

from __future__ import annotations

from fractions import Fraction

from bptt_trace.scenario.spec import Example, Variants
from bptt_trace.scenario.yaml_tree import Node, Seq

KEYS = ("vary", "grid", "range", "max_pre_activation", "max_drift", "max_draws")


def read_variants(reader, node: Node, parameters: tuple[str, ...], embeddings: dict, examples: tuple[Example, ...]) -> Variants:
    """The validated block; `reader` is the scenario's TreeReader, so errors name file, key and line."""
    v = reader.mapping(node, "variants", KEYS)
    vary = tuple(parameters)
    if "vary" in v:
        vary = _vary(reader, v["vary"], parameters, embeddings, examples)
    grid = reader.number(v["grid"], "variants.grid") if "grid" in v else Fraction(1, 10)
    if grid <= 0:
        raise reader.fail(v["grid"], "variants.grid", f"expected a step above 0, got {v['grid'].text}")
    low, high = Fraction(-1, 2), Fraction(1, 2)
    if "range" in v:
        low, high = reader.vector(v["range"], "variants.range", 2, " ([low, high])")
        if not low < high:
            raise reader.fail(v["range"], "variants.range", "expected [low, high] with low below high")
    if not any(k != 0 for k in _steps(grid, low, high)):
        raise reader.fail(v.get("range", node), "variants.range", f"no non-zero multiple of {grid} lies in [{low}, {high}]")
    out = Variants(vary, grid, low, high)
    if "max_pre_activation" in v:
        out = out._replace(max_pre_activation=_positive(reader, v["max_pre_activation"], "variants.max_pre_activation"))
    if "max_drift" in v:
        out = out._replace(max_drift=_positive(reader, v["max_drift"], "variants.max_drift"))
    if "max_draws" in v:
        out = out._replace(max_draws=reader.integer(v["max_draws"], "variants.max_draws", 1, 100_000))
    return out


def grid_values(spec: Variants) -> list[Fraction]:
    """Every value a draw may take: the non-zero multiples of the grid within the range."""
    return [k * spec.grid for k in _steps(spec.grid, spec.low, spec.high) if k != 0]


def _steps(grid: Fraction, low: Fraction, high: Fraction) -> range:
    first = -((-low) // grid)  # ceil(low / grid)
    return range(int(first), int(high // grid) + 1)


def _positive(reader, node: Node, path: str) -> Fraction:
    value = reader.number(node, path)
    if value <= 0:
        raise reader.fail(node, path, f"expected a number above 0, got {node.text}")
    return value


def _vary(reader, node: Node, parameters: tuple[str, ...], embeddings: dict, examples) -> tuple[str, ...]:
    if not isinstance(node, Seq) or not node.items:
        raise reader.fail(node, "variants.vary", "expected a list of what varies: parameter names, embeddings, "
                                                 "embeddings.WORD or inputs")
    allowed = set(parameters) | {"embeddings", "inputs"} | {f"embeddings.{w}" for w in embeddings}
    out = []
    for i, item in enumerate(node.items):
        name = reader.text(item, f"variants.vary[{i + 1}]")
        if name not in allowed:
            raise reader.fail(item, f"variants.vary[{i + 1}]", f"'{name}' is not a parameter, embeddings, "
                                                               f"embeddings.WORD or inputs of this scenario")
        if name.startswith("embeddings") and not embeddings:
            raise reader.fail(item, f"variants.vary[{i + 1}]", "this scenario has no embeddings")
        if name == "inputs" and any(e.tokens for e in examples):
            raise reader.fail(item, f"variants.vary[{i + 1}]", "the examples are words: vary embeddings instead")
        out.append(name)
    return tuple(dict.fromkeys(out))
