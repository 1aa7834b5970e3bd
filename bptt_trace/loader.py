"""Validate a scenario file's located tree into a frozen Scenario, with one clear error per problem."""

from __future__ import annotations

import difflib
from fractions import Fraction
from pathlib import Path

from bptt_trace.errors import InputError
from bptt_trace.numbers import parse_number
from bptt_trace.scenario import (ACTIVATIONS, CELLS, LOSS_OUTPUTS, LOSSES, OUTPUTS, OUTPUTS_AT,
                                 REDUCTIONS, UPDATES, Display, Example, Matrix, Model, Scenario, Vector)
from bptt_trace.yamlsource import Map, Node, Scalar, Seq, read_yaml

MAX_SIZE = 4096
# Bound on the matrix entries a trace stores (steps × hidden × (hidden + input)): about 400 MB.
MAX_TRACE_ENTRIES = 50_000_000
MAX_STEPS = 10_000  # time steps over all examples; each records about fifteen steps of the trace
TOP_KEYS = ("name", "description", "model", "embeddings", "parameters", "examples", "training", "display",
            "notation", "check")
DISPLAY_KEYS = ("round", "round_mode", "decimals", "digits")
ROUND_MODES = ("round", "truncate")
MODEL_KEYS = ("cell", "hidden_size", "activation", "output", "loss", "outputs_at")
PARAM_KEYS = ("W_xh", "W_hh", "b_h", "W_hy", "b_y", "h0")
TRAINING_KEYS = ("learning_rate", "reduction", "epochs", "update", "truncate", "clip")
MAX_EPOCHS = 1_000_000


def load_scenario(path: str | Path) -> Scenario:
    """Read, parse and validate a scenario YAML file."""
    return ScenarioReader(str(path)).scenario(read_yaml(path))


class ScenarioReader:
    """Checks each part of the tree against the scenario format, naming file, key and line."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, node: Node | None, path: str, message: str) -> InputError:
        line, col = (node.line, node.column) if node is not None else (None, None)
        return InputError(self.file, message, path, line, col)

    # --- generic shapes -------------------------------------------------------------
    def mapping(self, node: Node, path: str, allowed: tuple[str, ...],
                required: tuple[str, ...] = ()) -> dict[str, Node]:
        if not isinstance(node, Map):
            what = "the file" if not path else path
            raise self.fail(node, path, f"expected a mapping of keys for {what}, got {_kind(node)}")
        for key in node.items:
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                also = f"; did you mean '{hint[0]}'?" if hint else f"; allowed keys: {', '.join(allowed)}"
                line, col = node.key_lines[key]
                raise InputError(self.file, f"unknown key '{key}'{also}", _join(path, key), line, col)
        for key in required:
            if key not in node.items:
                raise self.fail(node, _join(path, key), f"missing required key '{key}'")
        return node.items

    def text(self, node: Node, path: str) -> str:
        if not isinstance(node, Scalar):
            raise self.fail(node, path, f"expected text, got {_kind(node)}")
        return node.text

    def choice(self, node: Node, path: str, options: tuple[str, ...]) -> str:
        value = self.text(node, path)
        if value not in options:
            hint = difflib.get_close_matches(value, options, n=1)
            also = f" (did you mean '{hint[0]}'?)" if hint else ""
            raise self.fail(node, path, f"expected one of {' | '.join(options)}, got '{value}'{also}")
        return value

    def number(self, node: Node, path: str) -> Fraction:
        if not isinstance(node, Scalar) or node.quoted:
            got = f"text '{node.text}'" if isinstance(node, Scalar) else _kind(node)
            raise self.fail(node, path, f"expected a number, got {got}")
        try:
            return parse_number(node.text)
        except ValueError as exc:
            raise self.fail(node, path, f"expected {exc}") from None

    def integer(self, node: Node, path: str, low: int, high: int) -> int:
        value = self.number(node, path)
        if value.denominator != 1 or not low <= value <= high:
            raise self.fail(node, path, f"expected a whole number from {low} to {high}, got {node.text}")
        return int(value)

    def vector(self, node: Node, path: str, length: int | None = None, what: str = "") -> Vector:
        if not isinstance(node, Seq):
            raise self.fail(node, path, f"expected a list of numbers, got {_kind(node)}")
        if length is not None and len(node.items) != length:
            raise self.fail(node, path, f"must have {length} entries{what}, got {len(node.items)}")
        if not node.items:
            raise self.fail(node, path, "expected a non-empty list of numbers")
        return tuple(self.number(item, f"{path}[{i}]") for i, item in enumerate(node.items))

    def matrix(self, node: Node, path: str, rows: int | None, cols: int | None, what: str) -> Matrix:
        if not isinstance(node, Seq) or not node.items or not all(isinstance(r, Seq) for r in node.items):
            raise self.fail(node, path, "expected a matrix written as a list of rows, such as [[0.1, 0.2], [0.3, 0.4]]")
        widths = [len(r.items) for r in node.items]
        shape = f"{len(widths)}×{widths[0]}" if len(set(widths)) == 1 else f"rows of lengths {widths}"
        if (rows is not None and len(widths) != rows) or len(set(widths)) != 1 or (
                cols is not None and widths[0] != cols):
            want = f"{rows if rows is not None else 'n'}×{cols if cols is not None else 'm'}"
            odd = next((r for r in node.items if len(r.items) != (cols if cols is not None else widths[0])), node)
            raise self.fail(odd, path, f"{path.split('.')[-1]} must be {want} ({what}), got {shape}")
        return tuple(self.vector(r, f"{path}[{i}]") for i, r in enumerate(node.items))

    # --- the scenario's parts -------------------------------------------------------
    def scenario(self, root: Node) -> Scenario:
        top = self.mapping(root, "", TOP_KEYS, ("name", "model", "parameters", "examples"))
        hidden, settings = self.model_settings(top["model"])
        notation = self.notation(top["notation"]) if "notation" in top else None
        params, h0 = self.parameters(top["parameters"], hidden, notation)
        input_size, output_size = len(params["W_xh"][0]), len(params["W_hy"])
        model = Model(input_size=input_size, output_size=output_size, hidden_size=hidden, **settings)
        self.check_output_size(model, top["parameters"])
        embeddings = self.embeddings(top["embeddings"], input_size) if "embeddings" in top else {}
        examples = self.examples(top["examples"], model, embeddings)
        steps = sum(e.steps for e in examples)
        entries = steps * hidden * (hidden + input_size + output_size)
        if steps > MAX_STEPS:
            raise self.fail(top["examples"], "examples", f"{steps} time steps in all; the limit is {MAX_STEPS:,}")
        if entries > MAX_TRACE_ENTRIES:
            raise self.fail(top["examples"], "examples",
                            f"{steps} time steps with hidden_size {hidden} would store about {entries:,} numbers; "
                            f"the limit is {MAX_TRACE_ENTRIES:,}: use shorter or fewer examples")
        lr, reduction, epochs, update, truncate, clip = self.training(top.get("training"))
        display = self.display(top.get("display"), notation)
        if "check" in top:
            display = display._replace(tolerance=self.tolerance(top["check"]))
        return Scenario(display=display, name=self.text(top["name"], "name"),
                        description=self.text(top["description"], "description") if "description" in top else "",
                        model=model, parameters=params, h0=h0,
                        embeddings=embeddings, examples=examples, learning_rate=lr, reduction=reduction,
                        epochs=epochs, update=update, truncate=truncate, clip=clip)

    def model_settings(self, node: Node) -> tuple[int, dict]:
        m = self.mapping(node, "model", MODEL_KEYS, ("hidden_size", "output", "loss"))
        settings = {
            "cell": self.choice(m["cell"], "model.cell", CELLS) if "cell" in m else "rnn",
            "activation": self.choice(m["activation"], "model.activation", ACTIVATIONS) if "activation" in m else "tanh",
            "output": self.choice(m["output"], "model.output", OUTPUTS),
            "loss": self.choice(m["loss"], "model.loss", LOSSES),
            "outputs_at": self.choice(m["outputs_at"], "model.outputs_at", OUTPUTS_AT) if "outputs_at" in m else "last",
        }
        if settings["output"] not in LOSS_OUTPUTS[settings["loss"]]:
            goes = " or ".join(LOSS_OUTPUTS[settings["loss"]])
            raise self.fail(m["loss"], "model.loss",
                            f"loss '{settings['loss']}' goes with output {goes}, not '{settings['output']}'")
        return self.integer(m["hidden_size"], "model.hidden_size", 1, MAX_SIZE), settings

    def parameters(self, node: Node, hidden: int, notation: str | dict[str, str] | None) -> tuple[dict, Vector]:
        """The parameters, under their canonical names or their names in the scenario's notation."""
        from bptt_trace.notation import parameter_aliases
        aliases = parameter_aliases(notation)
        written = self.mapping(node, "parameters", PARAM_KEYS + tuple(aliases))
        p, key = {}, {}
        for name, value in written.items():
            canonical = aliases.get(name, name)
            if canonical in p:
                raise self.fail(value, f"parameters.{name}", f"'{name}' and '{key[canonical]}' both give {canonical}")
            p[canonical], key[canonical] = value, name
        for name in ("W_xh", "W_hh", "b_h", "W_hy", "b_y"):
            if name not in p:
                shown = next((a for a, c in aliases.items() if c == name), name)
                raise self.fail(node, f"parameters.{shown}", f"missing required key '{shown}'")
        at = {c: f"parameters.{k}" for c, k in key.items()}
        params = {
            "W_xh": self.matrix(p["W_xh"], at["W_xh"], hidden, None, "hidden_size × input_size"),
            "W_hh": self.matrix(p["W_hh"], at["W_hh"], hidden, hidden, "hidden_size × hidden_size"),
            "b_h": self.vector(p["b_h"], at["b_h"], hidden, " (hidden_size)"),
            "W_hy": self.matrix(p["W_hy"], at["W_hy"], None, hidden, "output_size × hidden_size"),
        }
        params["b_y"] = self.vector(p["b_y"], at["b_y"], len(params["W_hy"]), " (output_size, the rows of W_hy)")
        if len(params["W_xh"][0]) > MAX_SIZE or len(params["W_hy"]) > MAX_SIZE:
            raise self.fail(node, "parameters", f"sizes above {MAX_SIZE} are not supported")
        h0 = self.vector(p["h0"], "parameters.h0", hidden, " (hidden_size)") if "h0" in p else (Fraction(0),) * hidden
        return params, h0

    def check_output_size(self, model: Model, node: Node) -> None:
        if model.output == "softmax" and model.output_size < 2:
            raise self.fail(node, "parameters", "softmax needs at least 2 output units (rows of W_hy), got 1")

    def embeddings(self, node: Node, input_size: int) -> dict[str, Vector]:
        if not isinstance(node, Map):
            raise self.fail(node, "embeddings", f"expected a mapping of word -> vector, got {_kind(node)}")
        return {word: self.vector(vec, f"embeddings.{word}", input_size, " (input_size, the columns of W_xh)")
                for word, vec in node.items.items()}

    def examples(self, node: Node, model: Model, embeddings: dict[str, Vector]) -> tuple[Example, ...]:
        if not isinstance(node, Seq) or not node.items:
            got = "an empty list" if isinstance(node, Seq) else _kind(node)
            raise self.fail(node, "examples", f"expected a non-empty list of examples, got {got}")
        return tuple(self.example(item, f"examples[{i}]", model, embeddings) for i, item in enumerate(node.items))

    def example(self, node: Node, path: str, model: Model, embeddings: dict[str, Vector]) -> Example:
        e = self.mapping(node, path, ("text", "inputs", "target"), ("target",))
        if ("text" in e) == ("inputs" in e):
            raise self.fail(node, path, "give exactly one of 'text' (words) or 'inputs' (vectors)")
        tokens = None
        if "text" in e:
            tokens = tuple(self.text(e["text"], f"{path}.text").split())
            if not tokens:
                raise self.fail(e["text"], f"{path}.text", "expected at least one word")
            for word in tokens:
                if word not in embeddings:
                    hint = difflib.get_close_matches(word, list(embeddings), n=1)
                    also = f" (did you mean '{hint[0]}'?)" if hint else ""
                    raise self.fail(e["text"], f"{path}.text", f"word '{word}' is not in embeddings{also}")
            inputs = tuple(embeddings[w] for w in tokens)
        else:
            inp = e["inputs"]
            if not isinstance(inp, Seq) or not inp.items:
                raise self.fail(inp, f"{path}.inputs", "expected a non-empty list of input vectors, one per time step")
            inputs = tuple(self.vector(v, f"{path}.inputs[{i}]", model.input_size, " (input_size, the columns of W_xh)")
                           for i, v in enumerate(inp.items))
        targets, shown = self.targets(e["target"], f"{path}.target", model, len(inputs))
        return Example(inputs=inputs, tokens=tokens, targets=targets, target=shown)

    def targets(self, node: Node, path: str, model: Model, steps: int) -> tuple[tuple[Vector, ...], object]:
        if model.outputs_at == "last":
            vec, shown = self.one_target(node, path, model)
            return (vec,), shown
        if not isinstance(node, Seq) or len(node.items) != steps:
            got = f"{len(node.items)} entries" if isinstance(node, Seq) else _kind(node)
            raise self.fail(node, path, f"with outputs_at: every, expected a list of {steps} targets (one per step), got {got}")
        pairs = [self.one_target(item, f"{path}[{i}]", model) for i, item in enumerate(node.items)]
        return tuple(p[0] for p in pairs), [p[1] for p in pairs]

    def one_target(self, node: Node, path: str, model: Model) -> tuple[Vector, object]:
        n = model.output_size
        if model.loss == "ce":
            k = self.integer(node, path, 0, n - 1) if isinstance(node, Scalar) else None
            if k is None:
                raise self.fail(node, path, f"ce expects a class index from 0 to {n - 1}, got {_kind(node)}")
            return tuple(Fraction(int(i == k)) for i in range(n)), k
        if isinstance(node, Seq):
            vec = self.vector(node, path, n, " (output_size)")
        elif n == 1:
            vec = (self.number(node, path),)
        else:
            raise self.fail(node, path, f"expected a list of {n} targets (output_size), got a single value")
        if model.loss == "bce" and any(v not in (0, 1) for v in vec):
            raise self.fail(node, path, "bce expects targets of 0 or 1")
        shown = [_plain(v) for v in vec] if isinstance(node, Seq) else _plain(vec[0])
        return vec, shown

    def display(self, node: Node | None, notation: str | dict[str, str] | None) -> Display:
        d = self.mapping(node, "display", DISPLAY_KEYS) if node is not None else {}
        return Display(
            round=self.integer(d["round"], "display.round", 0, 12) if "round" in d else None,
            round_mode=self.choice(d["round_mode"], "display.round_mode", ROUND_MODES) if "round_mode" in d else "round",
            decimals=self.integer(d["decimals"], "display.decimals", 0, 15) if "decimals" in d else None,
            digits=self.integer(d["digits"], "display.digits", 1, 30) if "digits" in d else None,
            notation=notation)

    def tolerance(self, node: Node) -> str:
        from bptt_trace.tolerance import Tolerance
        c = self.mapping(node, "check", ("tolerance",), ("tolerance",))
        spec = self.text(c["tolerance"], "check.tolerance")
        try:
            Tolerance.parse(spec)
        except ValueError as exc:
            raise self.fail(c["tolerance"], "check.tolerance", str(exc)) from None
        return spec

    def notation(self, node: Node) -> str | dict[str, str]:
        from bptt_trace.notation import PRESETS, SYMBOLS
        if isinstance(node, Scalar):
            return self.choice(node, "notation", tuple(PRESETS))
        m = self.mapping(node, "notation", SYMBOLS)
        return {k: self.text(v, f"notation.{k}") for k, v in m.items()}

    def training(self, node: Node | None) -> tuple:
        if node is None:
            return Fraction(1, 10), "sum", 1, "batch", None, None
        t = self.mapping(node, "training", TRAINING_KEYS)
        lr = self.number(t["learning_rate"], "training.learning_rate") if "learning_rate" in t else Fraction(1, 10)
        reduction = self.choice(t["reduction"], "training.reduction", REDUCTIONS) if "reduction" in t else "sum"
        epochs = self.integer(t["epochs"], "training.epochs", 1, MAX_EPOCHS) if "epochs" in t else 1
        update = self.choice(t["update"], "training.update", UPDATES) if "update" in t else "batch"
        truncate = self.integer(t["truncate"], "training.truncate", 1, MAX_STEPS) if "truncate" in t else None
        return lr, reduction, epochs, update, truncate, self.clip(t["clip"]) if "clip" in t else None

    def clip(self, node: Node) -> tuple[str, Fraction]:
        c = self.mapping(node, "training.clip", ("norm", "value"))
        if len(c) != 1:
            raise self.fail(node, "training.clip", "give one of norm: c (scale the whole gradient) or value: c "
                                                   "(hold each entry within [-c, c])")
        (kind, value), = c.items()
        limit = self.number(value, f"training.clip.{kind}")
        if limit <= 0:
            raise self.fail(value, f"training.clip.{kind}", f"expected a number above 0, got {value.text}")
        return kind, limit


def _plain(v: Fraction) -> int | float:
    return int(v) if v.denominator == 1 else float(v)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(node: Node) -> str:
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    return f"'{node.text}'" if node.text else "nothing"
