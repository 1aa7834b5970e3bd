"""Validate a scenario file's located tree into a frozen Scenario, with one clear error per problem."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from bptt_trace.scenario.check_reader import CheckReader
from bptt_trace.scenario.tree_reader import close_matches, kind_of
from bptt_trace.scenario.spec import (ACTIVATIONS, CELLS, LAYER_ACTIVATIONS, LOSS_OUTPUTS, LOSSES, OUTPUTS, OUTPUTS_AT,
                                 REDUCTIONS, UPDATES, CheckSpec, Display, Example, Model, Scenario, Vector, parameter_names)
from bptt_trace.scenario.variants_block import read_variants
from bptt_trace.scenario.yaml_blocks import read_scenario_yaml
from bptt_trace.scenario.yaml_tree import Map, Node, Scalar, Seq

MAX_SIZE = 4096
# Bound on the matrix entries a trace stores (about steps × (parameter entries + 4·hidden²)): about 400 MB.
MAX_TRACE_ENTRIES = 50_000_000
MAX_STEPS = 10_000  # time steps over all examples; each records about fifteen steps of the trace
TOP_KEYS = ("name", "description", "model", "embeddings", "parameters", "examples", "training", "display",
            "notation", "check", "variants")
DISPLAY_KEYS = ("round", "round_mode", "decimals", "digits")
ROUND_MODES = ("round", "truncate")
MODEL_KEYS = ("cell", "hidden_size", "activation", "output", "loss", "outputs_at", "loss_at", "bidirectional", "layers")
MAX_LAYERS = 16
TRAINING_KEYS = ("learning_rate", "reduction", "epochs", "update", "truncate", "clip")
MAX_EPOCHS = 1_000_000


def load_scenario(path: str | Path) -> Scenario:
    """Read, parse and validate a scenario YAML file, or a bundled scenario given by name (`sentiment`)."""
    from bptt_trace.scenario.bundled import resolve
    found = resolve(path)
    return ScenarioReader(str(found)).scenario(read_scenario_yaml(found))


class ScenarioReader(CheckReader):
    """Checks each part of the tree against the scenario format, naming file, key and line."""

    def __init__(self, file: str) -> None:
        super().__init__(file)
        self.names: tuple[str, ...] = ()

    # --- the scenario's parts -------------------------------------------------------
    def scenario(self, root: Node) -> Scenario:
        top = self.mapping(root, "", TOP_KEYS, ("name", "model", "parameters", "examples"))
        hidden, settings = self.model_settings(top["model"])
        notation = self.notation(top["notation"]) if "notation" in top else None
        shape = Model(input_size=0, output_size=0, hidden_size=hidden, **settings)
        params, initial = self.parameters(top["parameters"], shape, notation)
        self.names = names = parameter_names(shape)
        input_size, output_size = len(params[names[0]][0]), len(params[names[-2]])
        model = shape._replace(input_size=input_size, output_size=output_size)
        self.check_output_size(model, top["parameters"])
        embeddings = self.embeddings(top["embeddings"], input_size) if "embeddings" in top else {}
        examples = self.examples(top["examples"], model, embeddings)
        steps = sum(e.steps for e in examples)
        width = sum(len(v) * (len(v[0]) if isinstance(v[0], tuple) else 1) for v in params.values())
        entries = steps * (width + 4 * hidden * hidden)
        if steps > MAX_STEPS:
            raise self.fail(top["examples"], "examples", f"{steps} time steps in all; the limit is {MAX_STEPS:,}")
        if entries > MAX_TRACE_ENTRIES:
            raise self.fail(top["examples"], "examples", _too_big(model, steps, entries))
        lr, reduction, epochs, update, truncate, clip = self.training(top.get("training"))
        if truncate is not None and (model.cell != "rnn" or model.bidirectional):
            raise self.fail(top["training"], "training.truncate",
                            "truncated BPTT is offered for the one-directional vanilla RNN (cell: rnn) only")
        display = self.display(top.get("display"), notation)
        check = self.check(top["check"]) if "check" in top else CheckSpec()
        display = display._replace(tolerance=check.tolerance)
        return Scenario(display=display, name=self.text(top["name"], "name"),
                        description=self.text(top["description"], "description") if "description" in top else "",
                        model=model, parameters=params, h0=initial["h0"], c0=initial.get("c0"),
                        embeddings=embeddings, examples=examples, learning_rate=lr, reduction=reduction,
                        epochs=epochs, update=update, truncate=truncate, clip=clip, check=check,
                        variants=read_variants(self, top["variants"], self.names, embeddings, examples)
                        if "variants" in top else None)

    def model_settings(self, node: Node) -> tuple[int, dict]:
        m = self.mapping(node, "model", MODEL_KEYS, ("output", "loss"))
        cell = self.choice(m["cell"], "model.cell", CELLS) if "cell" in m else "rnn"
        kinds = LAYER_ACTIVATIONS if cell == "mlp" else ACTIVATIONS
        activation = self.choice(m["activation"], "model.activation", kinds) if "activation" in m else \
            ("sigmoid" if cell == "mlp" else "tanh")
        settings = {
            "cell": cell, "activation": activation,
            "output": self.choice(m["output"], "model.output", OUTPUTS),
            "loss": self.choice(m["loss"], "model.loss", LOSSES),
            "outputs_at": self.choice(m["outputs_at"], "model.outputs_at", OUTPUTS_AT) if "outputs_at" in m else "last",
            "bidirectional": self.flag(m["bidirectional"], "model.bidirectional") if "bidirectional" in m else False,
        }
        if "loss_at" in m:
            settings["loss_at"] = self.choice(m["loss_at"], "model.loss_at", OUTPUTS_AT)
            if settings["loss_at"] == "every" and settings["outputs_at"] != "every":
                raise self.fail(m["loss_at"], "model.loss_at", "a loss at every step needs an output at every "
                                                              "step (outputs_at: every)")
        if settings["output"] not in LOSS_OUTPUTS[settings["loss"]]:
            goes = " or ".join(LOSS_OUTPUTS[settings["loss"]])
            raise self.fail(m["loss"], "model.loss",
                            f"loss '{settings['loss']}' goes with output {goes}, not '{settings['output']}'")
        if settings.get("loss_at") == "last" and settings["bidirectional"]:
            raise self.fail(m["loss_at"], "model.loss_at", "loss_at is for one-directional networks: a bidirectional "
                                                          "RNN reads both directions at each output")
        if settings["bidirectional"] and cell != "rnn":
            raise self.fail(m["bidirectional"], "model.bidirectional", f"bidirectional is offered for cell rnn, not {cell}")
        if cell == "mlp":
            for key in ("hidden_size", "outputs_at", "loss_at", "bidirectional"):
                if key in m:
                    raise self.fail(m[key], f"model.{key}", f"'{key}' is for recurrent cells; an mlp gives its "
                                                            "hidden layers in 'layers'")
            if "layers" not in m:
                raise self.fail(node, "model.layers", "missing required key 'layers' (the hidden layers of the mlp)")
            settings["layers"] = self.layers(m["layers"], activation)
            return settings["layers"][0][0], settings
        if "layers" in m:
            raise self.fail(m["layers"], "model.layers", f"'layers' is for cell mlp; {_an(cell)} has one hidden_size")
        if cell in ("lstm", "gru") and "activation" in m:
            raise self.fail(m["activation"], "model.activation", f"{_an(cell)}'s gates use sigmoid and tanh; "
                                                                  "'activation' is for cells rnn and mlp")
        if "hidden_size" not in m:
            raise self.fail(node, "model.hidden_size", "missing required key 'hidden_size'")
        return self.integer(m["hidden_size"], "model.hidden_size", 1, MAX_SIZE), settings

    def layers(self, node: Node, activation: str) -> tuple[tuple[int, str], ...]:
        """The mlp's hidden layers: each a size, or {size: n, activation: f} (default: model.activation)."""
        if not isinstance(node, Seq) or not 1 <= len(node.items) <= MAX_LAYERS:
            raise self.fail(node, "model.layers", f"expected a list of 1 to {MAX_LAYERS} hidden layers, each a size "
                                                  "or {size: n, activation: f}")
        out = []
        for i, item in enumerate(node.items):
            path = f"model.layers[{i}]"
            if isinstance(item, Map):
                d = self.mapping(item, path, ("size", "activation"), ("size",))
                act = self.choice(d["activation"], f"{path}.activation", LAYER_ACTIVATIONS) if "activation" in d else activation
                out.append((self.integer(d["size"], f"{path}.size", 1, MAX_SIZE), act))
            else:
                out.append((self.integer(item, path, 1, MAX_SIZE), activation))
        return tuple(out)

    def parameters(self, node: Node, model: Model, notation: str | dict[str, str] | None) -> tuple[dict, dict]:
        """The parameters, under their canonical names or their names in the scenario's notation, and
        the initial states (h0, and c0 for an LSTM; zeros when not given)."""
        from bptt_trace.scenario.notation import parameter_aliases
        aliases = parameter_aliases(notation) if model.cell == "rnn" and not model.bidirectional else {}
        names = parameter_names(model)
        states = () if model.cell == "mlp" else ("h0", "c0") if model.cell == "lstm" else ("h0",)
        written = self.mapping(node, "parameters", names + states + tuple(aliases))
        p, key = {}, {}
        for name, value in written.items():
            canonical = aliases.get(name, name)
            if canonical in p:
                raise self.fail(value, f"parameters.{name}", f"'{name}' and '{key[canonical]}' both give {canonical}")
            p[canonical], key[canonical] = value, name
        for name in names:
            if name not in p:
                shown = next((a for a, c in aliases.items() if c == name), name)
                raise self.fail(node, f"parameters.{shown}", f"missing required key '{shown}'")
        sizes: dict[str, int] = {"hidden_size": model.hidden_size, "2 × hidden_size": 2 * model.hidden_size}
        sizes.update({f"layers[{i}].size": n for i, (n, _) in enumerate(model.layers)})
        params = {}
        for name, rows, cols in _shapes(model):
            at = f"parameters.{key[name]}"
            if cols is None:  # a bias: as long as the matrix before it has rows
                what = f" ({rows}, the rows of {names[names.index(name) - 1]})"
                params[name] = self.vector(p[name], at, sizes[rows], what)
                continue
            matrix = self.matrix(p[name], at, sizes.get(rows), sizes.get(cols), f"{rows} × {cols}")
            sizes.setdefault(rows, len(matrix))
            sizes.setdefault(cols, len(matrix[0]))
            params[name] = matrix
        if sizes["input_size"] > MAX_SIZE or sizes["output_size"] > MAX_SIZE:
            raise self.fail(node, "parameters", f"sizes above {MAX_SIZE} are not supported")
        hidden = model.hidden_size
        initial = {s: self.vector(p[s], f"parameters.{s}", hidden, " (hidden_size)") if s in p else (Fraction(0),) * hidden
                   for s in states}
        initial.setdefault("h0", ())
        return params, initial

    def check_output_size(self, model: Model, node: Node) -> None:
        if model.output == "softmax" and model.output_size < 2:
            last = parameter_names(model)[-2]
            raise self.fail(node, "parameters", f"softmax needs at least 2 output units (rows of {last}), got 1")

    def embeddings(self, node: Node, input_size: int) -> dict[str, Vector]:
        if not isinstance(node, Map):
            raise self.fail(node, "embeddings", f"expected a mapping of word -> vector, got {kind_of(node)}")
        first = "W_xh_fw" if "W_xh_fw" in self.names else self.names[0]
        return {word: self.vector(vec, f"embeddings.{word}", input_size, f" (input_size, the columns of {first})")
                for word, vec in node.items.items()}

    def examples(self, node: Node, model: Model, embeddings: dict[str, Vector]) -> tuple[Example, ...]:
        if not isinstance(node, Seq) or not node.items:
            got = "an empty list" if isinstance(node, Seq) else kind_of(node)
            raise self.fail(node, "examples", f"expected a non-empty list of examples, got {got}")
        return tuple(self.example(item, f"examples[{i}]", model, embeddings) for i, item in enumerate(node.items))

    def example(self, node: Node, path: str, model: Model, embeddings: dict[str, Vector]) -> Example:
        e = self.mapping(node, path, ("text", "inputs", "target"), ("target",))
        if ("text" in e) == ("inputs" in e):
            raise self.fail(node, path, "give exactly one of 'text' (words) or 'inputs' (vectors)")
        tokens = None
        if "text" in e and model.cell == "mlp":
            raise self.fail(e["text"], f"{path}.text", "an mlp example gives 'inputs', one input vector")
        if "text" in e:
            tokens = tuple(self.text(e["text"], f"{path}.text").split())
            if not tokens:
                raise self.fail(e["text"], f"{path}.text", "expected at least one word")
            for word in tokens:
                if word not in embeddings:
                    hint = close_matches(word, list(embeddings), n=1)
                    also = f" (did you mean '{hint[0]}'?)" if hint else ""
                    raise self.fail(e["text"], f"{path}.text", f"word '{word}' is not in embeddings{also}")
            inputs = tuple(embeddings[w] for w in tokens)
        else:
            inp = e["inputs"]
            if not isinstance(inp, Seq) or not inp.items:
                raise self.fail(inp, f"{path}.inputs", "expected a non-empty list of input vectors, one per time step")
            if model.cell == "mlp":  # one input vector, not a sequence
                return self.mlp_example(e, path, model)
            inputs = tuple(self.vector(v, f"{path}.inputs[{i}]", model.input_size,
                                       f" (input_size, the columns of {self.names[0]})")
                           for i, v in enumerate(inp.items))
        targets, shown = self.targets(e["target"], f"{path}.target", model, len(inputs))
        return Example(inputs=inputs, tokens=tokens, targets=targets, target=shown)

    def mlp_example(self, e: dict[str, Node], path: str, model: Model) -> Example:
        inputs = (self.vector(e["inputs"], f"{path}.inputs", model.input_size, " (input_size, the columns of W_1)"),)
        targets, shown = self.targets(e["target"], f"{path}.target", model, 1)
        return Example(inputs=inputs, tokens=None, targets=targets, target=shown)

    def targets(self, node: Node, path: str, model: Model, steps: int) -> tuple[tuple[Vector, ...], object]:
        if model.outputs_at == "last" or model.loss_at == "last":
            vec, shown = self.one_target(node, path, model)
            return (vec,), shown
        if not isinstance(node, Seq) or len(node.items) != steps:
            got = f"{len(node.items)} entries" if isinstance(node, Seq) else kind_of(node)
            raise self.fail(node, path, f"with outputs_at: every, expected a list of {steps} targets (one per step; "
                                        f"loss_at: last takes one), got {got}")
        pairs = [self.one_target(item, f"{path}[{i}]", model) for i, item in enumerate(node.items)]
        return tuple(p[0] for p in pairs), [p[1] for p in pairs]

    def one_target(self, node: Node, path: str, model: Model) -> tuple[Vector, object]:
        n = model.output_size
        if model.loss == "ce":
            k = self.integer(node, path, 0, n - 1) if isinstance(node, Scalar) else None
            if k is None:
                raise self.fail(node, path, f"ce expects a class index from 0 to {n - 1}, got {kind_of(node)}")
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
            round=self.places(d["round"], "display.round") if "round" in d else None,
            round_mode=self.choice(d["round_mode"], "display.round_mode", ROUND_MODES) if "round_mode" in d else "round",
            decimals=self.integer(d["decimals"], "display.decimals", 0, 15) if "decimals" in d else None,
            digits=self.integer(d["digits"], "display.digits", 1, 30) if "digits" in d else None,
            notation=notation)

    def places(self, node: Node, path: str) -> int | str:
        """A number of decimals from 0 to 12, or `off` (full precision)."""
        if isinstance(node, Scalar) and node.text == "off" and not node.quoted:
            return "off"
        if isinstance(node, Scalar) and not node.quoted and not node.text.lstrip("-").replace(".", "").isdigit():
            raise self.fail(node, path, f"expected a whole number of decimals from 0 to 12, or off, got {node.text}")
        return self.integer(node, path, 0, 12)

    def notation(self, node: Node) -> str | dict[str, str]:
        from bptt_trace.scenario.notation import PRESETS, SYMBOLS
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


def _shapes(model: Model) -> list[tuple[str, str, str | None]]:
    """(name, rows, columns) of each parameter in terms of named sizes; columns None for a bias.

    Sizes not known from the model (input and output size) are taken from the first matrix that has them.
    """
    names = parameter_names(model)
    if model.cell == "mlp":
        sizes = ["input_size"] + [f"layers[{i}].size" for i in range(len(model.layers))] + ["output_size"]
        return [(n, sizes[int(n[2:])], None if n[0] == "b" else sizes[int(n[2:]) - 1]) for n in names]
    H = "hidden_size"
    out = []
    for n in names[:-2]:
        kind = n.split("_")[0] if model.cell != "rnn" else n.split("_")[1] if n[0] == "W" else "b"
        cols = {"W": "input_size", "xh": "input_size", "U": H, "hh": H, "b": None}[kind]
        out.append((n, H, cols))
    concat = "2 × hidden_size" if model.bidirectional else H
    return out + [("W_hy", "output_size", concat), ("b_y", "output_size", None)]


def _an(cell: str) -> str:
    return f"an {cell}" if cell[0] in "aeilmnorsx" else f"a {cell}"  # an rnn, an lstm, an mlp; a gru


def _plain(v: Fraction) -> int | float:
    return int(v) if v.denominator == 1 else float(v)


def _too_big(model: Model, steps: int, entries: int) -> str:
    """The refusal of a trace over the budget, worded for the network: time steps and hidden_size, or layers."""
    limit = f"would store about {entries:,} numbers; the limit is {MAX_TRACE_ENTRIES:,}"
    if model.cell == "mlp":
        sizes = ", ".join(str(size) for size, _ in model.layers)
        return f"{steps} example{'s' * (steps != 1)} through hidden layers of size {sizes} {limit}: use smaller layers"
    return f"{steps} time steps with hidden_size {model.hidden_size} {limit}: use shorter or fewer examples"
