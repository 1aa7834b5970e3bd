"""Hypothesis strategies: random scenarios over every model option, written as YAML and loaded."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import strategies as st

from bptt_trace.scenario.loader import load_scenario
from bptt_trace.scenario.spec import Scenario

PAIRS = [("sigmoid", "bce"), ("softmax", "ce"), ("identity", "mse"), ("sigmoid", "mse")]
WORDS = ["a", "b", "c", "d"]


def _num(draw, low: float = -1.0, high: float = 1.0):
    """A number as a YAML writer would put it: a short decimal, or now and then a fraction."""
    if draw(st.integers(0, 9)) == 0:
        return f"{draw(st.integers(-9, 9))}/{draw(st.integers(1, 9))}"
    return round(draw(st.floats(low, high, allow_nan=False)), 3)


@st.composite
def scenario_dicts(draw) -> dict:
    """A scenario as a plain dict, ready to dump as YAML."""
    hidden, inp = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    output, loss = draw(st.sampled_from(PAIRS))
    out_size = draw(st.integers(2, 3)) if output == "softmax" else draw(st.integers(1, 3))
    outputs_at = draw(st.sampled_from(["last", "every"]))
    loss_last = outputs_at == "every" and draw(st.integers(0, 2)) == 0  # outputs at every step, the loss at the last
    mat = lambda r, c: [[_num(draw) for _ in range(c)] for _ in range(r)]  # noqa: E731
    vec = lambda n: [_num(draw) for _ in range(n)]  # noqa: E731
    use_text = draw(st.booleans())
    embeddings = {w: vec(inp) for w in WORDS}

    def target():
        if loss == "ce":
            return draw(st.integers(0, out_size - 1))
        if loss == "bce":
            vals = [draw(st.integers(0, 1)) for _ in range(out_size)]
        else:
            vals = vec(out_size)
        return vals if out_size > 1 or draw(st.booleans()) else vals[0]

    examples = []
    for _ in range(draw(st.integers(1, 3))):
        steps = draw(st.integers(1, 5))
        ex = {"text": " ".join(draw(st.sampled_from(WORDS)) for _ in range(steps))} if use_text else \
            {"inputs": mat(steps, inp)}
        ex["target"] = [target() for _ in range(steps)] if outputs_at == "every" and not loss_last else target()
        examples.append(ex)
    params = {"W_xh": mat(hidden, inp), "W_hh": mat(hidden, hidden), "b_h": vec(hidden),
              "W_hy": mat(out_size, hidden), "b_y": vec(out_size)}
    if draw(st.booleans()):
        params["h0"] = vec(hidden)
    doc = {"name": "random", "model": {"cell": "rnn", "hidden_size": hidden,
                                       "activation": draw(st.sampled_from(["tanh", "sigmoid", "relu"])),
                                       "output": output, "loss": loss, "outputs_at": outputs_at,
                                       **({"loss_at": "last"} if loss_last else {})},
           "parameters": params, "examples": examples,
           "training": {"learning_rate": _num(draw, 0.01, 1.0), "reduction": draw(st.sampled_from(["sum", "mean"]))}}
    if use_text:
        doc["embeddings"] = embeddings
    return doc


def scenarios():
    """Random scenarios written as YAML and loaded through the real loader."""
    import tempfile

    def load(doc: dict) -> Scenario:
        with tempfile.TemporaryDirectory() as tmp:
            return load_dict(doc, Path(tmp))
    return scenario_dicts().map(load)


def load_dict(doc: dict, tmp: Path) -> Scenario:
    """Write the dict as a YAML file (fractions unquoted) and load it through the real loader."""
    text = json.dumps(doc)
    # Fractions were drawn as strings; YAML must see them as plain scalars, not quoted text.
    text = re.sub(r'"(-?\d+/\d+)"', r"\1", text)
    path = tmp / "scenario.yaml"
    path.write_text(text)
    return load_scenario(path)


@st.composite
def cell_scenario_dicts(draw, cell: str) -> dict:
    """A random scenario for an lstm, gru, mlp or bidirectional rnn ("birnn"), as a plain dict."""
    doc = draw(scenario_dicts())
    m, params = doc["model"], doc["parameters"]
    hidden, inp = len(params["W_xh"]), len(params["W_xh"][0])
    out_size = len(params["W_hy"])
    mat = lambda r, c: [[_num(draw) for _ in range(c)] for _ in range(r)]  # noqa: E731
    vec = lambda n: [_num(draw) for _ in range(n)]  # noqa: E731
    h0 = params.pop("h0", None)
    if cell in ("lstm", "gru"):
        m["cell"] = cell
        m.pop("activation")
        gates = "fico" if cell == "lstm" else "urh"
        doc["parameters"] = {f"{p}_{g}": (mat(hidden, inp) if p == "W" else mat(hidden, hidden) if p == "U" else vec(hidden))
                             for g in gates for p in "WUb"} | {"W_hy": params["W_hy"], "b_y": params["b_y"]}
        if cell == "lstm" and draw(st.booleans()):
            doc["parameters"]["c0"] = vec(hidden)
    elif cell == "birnn":
        m["bidirectional"] = True
        if m.pop("loss_at", None):  # one target was drawn; loss_at is for one-directional networks
            m["outputs_at"] = "last"
        doc["parameters"] = {f"{p}_{d}": (mat(hidden, inp) if p == "W_xh" else mat(hidden, hidden) if p == "W_hh" else vec(hidden))
                             for d in ("fw", "bw") for p in ("W_xh", "W_hh", "b_h")}
        doc["parameters"] |= {"W_hy": mat(out_size, 2 * hidden), "b_y": params["b_y"]}
    else:  # mlp: one input vector per example, any number of hidden layers
        every = m.pop("outputs_at") == "every" and not m.pop("loss_at", None)
        m.pop("hidden_size")
        m["cell"] = "mlp"
        acts = ["tanh", "sigmoid", "relu", "identity"]
        layers = [{"size": draw(st.integers(1, 4)), "activation": draw(st.sampled_from(acts))}
                  for _ in range(draw(st.integers(1, 3)))]
        m["layers"] = layers
        sizes = [inp] + [layer["size"] for layer in layers] + [out_size]
        doc["parameters"] = {}
        for n in range(1, len(sizes)):
            doc["parameters"][f"W_{n}"] = mat(sizes[n], sizes[n - 1])
            doc["parameters"][f"b_{n}"] = vec(sizes[n])
        doc.pop("embeddings", None)
        for ex in doc["examples"]:
            ex.pop("text", None)
            ex["inputs"] = vec(inp)
            if every:  # one target per step was drawn; an mlp has one output
                ex["target"] = ex["target"][0]
        return doc
    if h0 is not None:
        doc["parameters"]["h0"] = h0
    return doc


def cell_scenarios(cell: str):
    """Random scenarios of one network kind, written as YAML and loaded through the real loader."""
    import tempfile

    def load(doc: dict) -> Scenario:
        with tempfile.TemporaryDirectory() as tmp:
            return load_dict(doc, Path(tmp))
    return cell_scenario_dicts(cell).map(load)
