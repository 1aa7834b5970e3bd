"""The fast reader of scenario files builds exactly the tree (or raises exactly the error) the full one does."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bptt_trace.errors import InputError
from bptt_trace.numbers.written import parse_number
from bptt_trace.scenario.bundled import BUNDLED_DIR
from bptt_trace.scenario.loader import load_scenario
from bptt_trace.scenario.yaml_blocks import parse_blocks, parse_scenario_text
from bptt_trace.scenario.yaml_tree import Map, Scalar, Seq, parse_yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from terminal_output import scenario_text  # noqa: E402


def outcome(text: str, fast: bool):
    try:
        return parse_scenario_text(text, "s.yaml") if fast else parse_yaml(text, "s.yaml")
    except InputError as exc:
        return ("error", exc.describe())


def test_every_bundled_scenario_takes_the_fast_path_with_the_same_tree():
    for path in sorted(BUNDLED_DIR.glob("*.yaml")):
        text = path.read_text()
        tree = parse_blocks(text)
        assert tree is not None, path.name
        assert tree == parse_yaml(text, path.name), path.name


def test_a_long_generated_scenario_reads_alike_and_is_located():
    text = scenario_text(300, hidden=3, inputs=2)
    tree = parse_blocks(text)
    assert tree == parse_yaml(text, "s")
    example = tree.items["examples"].items[0]
    assert isinstance(example, Map) and example.line == 15 and example.column == 5
    row = example.items["inputs"].items[1]
    assert row.line == 15 and row.items[0].line == 15 and row.column == row.items[0].column - 1


def test_block_text_lists_and_flow_mappings_are_located_as_the_full_reader_does():
    text = ("name: x\ndescription: >-\n  two\n  lines\nnote: |\n  a\n  b\n\nmodel:\n  layers:\n"
            "    - {size: 3, activation: tanh}\n  cell: mlp\nW: [[0.1, -2],\n    [3, 1/8]]  # rows\n"
            "examples:\n- inputs:\n  - [1]\n  - [2]\n  target: 1\n")
    tree = parse_blocks(text)
    assert tree == parse_yaml(text, "s")
    assert tree.items["description"] == Scalar("two lines", True, 2, 14)
    assert tree.items["note"] == Scalar("a\nb\n", True, 5, 7)
    layer = tree.items["model"].items["layers"].items[0]
    assert layer == Map({"size": Scalar("3", False, 11, 14), "activation": Scalar("tanh", False, 11, 29)}, 11, 7,
                        {"size": (11, 8), "activation": (11, 17)})
    assert tree.items["W"].items[1] == Seq([Scalar("3", False, 14, 6), Scalar("1/8", False, 14, 9)], 14, 5)


def test_outside_the_subset_the_full_reader_decides():
    for text in ("a: &x 1\nb: *x\n", "a: 1\na: 2\n", "a: !!str 1\n", "a: {b: {c: {d: {e: {f: 1}}}}}\n",
                 "a: >\n  x\n\n  y\n", "a: >\n  x\n    y\n", "a: |+\n  x\n", "a: >2\n  x\n", "a: [1,\n2]\n",
                 "a: [1, 2,]\n", "a:\n  - - 1\n", "a:\n  -\n", "a: 'x'\n", "a: b\n  c\n", "- 1\n", "a:\n",
                 "a: [1, # c\n  2]\n", "a: >\n  x \n", "a:\n- 1\n - 2\n", "a: {b: 1, b: 2}\n", "---\na: 1\n"):
        assert parse_blocks(text) is None, text


def test_errors_keep_their_file_key_and_line(tmp_path):
    path = tmp_path / "s.yaml"
    text = scenario_text(20, hidden=2, inputs=2)
    path.write_text(text.replace("    target: 1", "    target: 1\n    target: 0"))
    try:
        load_scenario(path)
    except InputError as exc:
        assert exc.describe() == f"{path}:17:5: examples[0].target: duplicate key 'target' (first given on line 16)"
    else:
        raise AssertionError("a duplicate key was accepted")


def test_a_wrong_number_in_a_long_input_is_named_by_its_place(tmp_path):
    path = tmp_path / "s.yaml"
    text = scenario_text(20, hidden=2, inputs=2)
    line = next(i for i, s in enumerate(text.split("\n"), 1) if s.startswith("  - inputs"))
    row = text.split("\n")[line - 1]
    at = row.index("[", row.index("[") + 1)
    at = row.index("[", at + 1)  # the second input vector
    path.write_text(text.replace(row, row[:at + 1] + "0.1e" + row[at + 1:]))
    try:
        load_scenario(path)
    except InputError as exc:
        assert exc.describe().startswith(f"{path}:{line}:{at + 2}: examples[0].inputs[1][0]: expected a number")
    else:
        raise AssertionError("a malformed number was accepted")


def test_plain_decimals_read_as_the_general_forms_do():
    from fractions import Fraction
    for text in ("0.25", "-0.5", "0", "-0", "10", "0.10", "123456789012345678901234567890", "1." + "0" * 29):
        assert parse_number(text) == Fraction(text.strip()), text
    for bad, message in (("1." + "0" * 60, "a number of at most 60 characters, got 62"),
                         (" 1e400", "an exponent between -300 and 300, got '1e400'"),
                         ("0.1.2", "a number (such as 0.25, -3, 1e-3 or 1/3), got '0.1.2'")):
        try:
            parse_number(bad)
        except ValueError as exc:
            assert str(exc) == message
        else:
            raise AssertionError(bad)


NUMBERS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.integers(-10**30, 10**30).map(str),
    st.sampled_from(["~", "0", "-0.5", "1e-3", "2E+5", ".5", "1.", "0x1F", "1_000", "+1", "-", "1/3", "-1/0.685",
                     "nan", ".inf", "null", "true", "1e", "00.10", "1:2", "tanh", "a b", "x#y", "#", "'1'", '"1"']))
WORDS = st.sampled_from(["sentiment", "Ann Smith", "i love this", "tanh", "rnn", "1", "0.5", "~", '"quoted"', "x: y",
                         "a #b", "a#b", "-x", "[1, 2]", "{a: 1}", "!x", "&a", "*a", "? x", "%", "@", "`"])
KEYS = st.sampled_from(["name", "model", "W_xh", "b_h", "inputs", "target", "text", "size", "activation", '"q k"',
                        "'s'", "a b", "x-1", "1", "-", "? k", "k ", "k:k"])


@st.composite
def flow(draw, depth: int = 0, lines: bool = True) -> str:
    """A flow list (or now and then a mapping), at times over several lines, with odd spacing or items."""
    n = draw(st.integers(0, 4))
    items = []
    for _ in range(n):
        pick = draw(st.integers(0, 5))
        items.append(draw(flow(depth + 1, lines)) if depth < 5 and pick == 0 else
                     "{" + f"{draw(KEYS)}: {draw(NUMBERS)}" + draw(st.sampled_from(["}", "", ", k: 1}"])) if pick == 1
                     else draw(NUMBERS))
    sep = draw(st.sampled_from([", ", ",", " , ", ",\n    ", ",\n  ", ",\n", ", # c\n    "] if lines else [", ", ","]))
    inner = sep.join(items) + draw(st.sampled_from(["", "", "", ",", " ", "\n    "]))
    return draw(st.sampled_from(["[", "[", "[ "])) + inner + draw(st.sampled_from(["]", "]", " ]", "}", ""]))


def value(draw) -> str:
    kind = draw(st.integers(0, 9))
    if kind <= 3:
        return " " + draw(flow())
    if kind <= 5:
        return " " + draw(st.one_of(NUMBERS, WORDS))
    if kind == 6:
        style = draw(st.sampled_from([">-", ">", "|", "|-", "|+", ">2", "> # c", ">x"]))
        body = draw(st.lists(st.sampled_from(["one two", "three", "#four", "  five", "six ", "", "a: b"]), max_size=3))
        return f" {style}\n" + "".join(f"{draw(st.sampled_from(['    ', '    ', '   ', '  ']))}{b}\n" for b in body)[:-1]
    if kind == 7:
        items = draw(st.lists(st.one_of(NUMBERS, flow(lines=False), st.just("k: 1\n      j: 2")), min_size=1, max_size=3))
        return "\n" + "\n".join(f"{draw(st.sampled_from(['    ', '  ', '   ']))}-{draw(st.sampled_from([' ', '  ', '']))}{i}"
                                for i in items)
    return draw(st.sampled_from(["", " ", " # c", " ~", " 'x'", ' "a\\tb"']))


@st.composite
def scenario_like(draw) -> str:
    """Block mappings and lists nested by indentation, with comments, blank lines and odd lines."""
    lines, depth = [], 0
    for _ in range(draw(st.integers(1, 12))):
        pick = draw(st.integers(0, 12))
        if pick == 0:
            lines.append(" " * draw(st.integers(0, 6)) + draw(st.sampled_from(["# c", "", "#", "---", "...", "- x"])))
            continue
        indent = " " * (2 * depth + draw(st.sampled_from([0, 0, 0, 0, 0, 1, -1, -2])))
        dash = draw(st.sampled_from(["", "", "", "", "- "]))
        if pick <= 3 and depth < 8:
            lines.append(f"{indent}{dash}{draw(KEYS)}:" + draw(st.sampled_from(["", "", " ", " # x"])))
            depth += 1 + bool(dash)
            continue
        if pick == 4 and depth:
            depth -= draw(st.integers(1, depth))
        lines.append(f"{indent}{dash}{draw(KEYS)}:{value(draw)}")
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n", "\r\n"]))


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(scenario_like())
def test_files_in_and_near_the_subset_read_alike(text):
    assert outcome(text, True) == outcome(text, False)


@st.composite
def edited_scenario(draw) -> str:
    """A bundled or generated scenario with one hostile edit at a random place: the subset's boundary."""
    names = sorted(p.name for p in BUNDLED_DIR.glob("*.yaml"))
    text = (BUNDLED_DIR / draw(st.sampled_from(names))).read_text() if draw(st.booleans()) else \
        scenario_text(draw(st.integers(1, 4)), hidden=2, inputs=2)
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 3))
        text = text[:at] + draw(st.sampled_from(list(":#,[]{}&*!|>'\"%@`?~\\ \t\n-") + [
            "\u2028", "\x85", "\ufeff", ": x", "  ", "---\n", "&a ", "!!int ", "\n  ", "- ", "\n\n", "1/"])) + text[at + cut:]
    return text


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(edited_scenario())
def test_scenarios_with_a_hostile_edit_read_alike(text):
    assert outcome(text, True) == outcome(text, False)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text("ab1 .:-[]{},#>|\n\"'~&!", max_size=40))
def test_any_short_text_reads_alike(text):
    assert outcome(text, True) == outcome(text, False)


TIDY_NUMBERS = st.one_of(st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
                         st.integers(-10**20, 10**20).map(str), st.sampled_from(["~", "1e-3", "-2E+5", "1/8", "-0"]))
TIDY_KEYS = st.sampled_from(["name", "model", "W_xh", "b_h", "inputs", "target", "text", "size", '"h[1]"', "a b"])


@st.composite
def tidy_flow(draw, depth: int, indent: int) -> str:
    """A flow list of numbers (rows of them, now and then over several lines) or a flat flow mapping."""
    if depth == 0 and draw(st.integers(0, 5)) == 0:
        pairs = draw(st.lists(st.tuples(st.sampled_from(["size", "activation", "norm"]), TIDY_NUMBERS), min_size=1,
                              max_size=3, unique_by=lambda p: p[0]))
        return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    items = [draw(tidy_flow(depth + 1, indent)) if depth < 2 and draw(st.integers(0, 2)) == 0 else draw(TIDY_NUMBERS)
             for _ in range(draw(st.integers(0 if depth else 1, 4)))]
    seps = [", ", ","] + ([",\n" + " " * (indent + draw(st.integers(1, 6)))] if depth < 2 else [])
    return "[" + draw(st.sampled_from(seps)).join(items) + "]"


@st.composite
def tidy_block(draw, indent: int, depth: int) -> list[str]:
    """A block mapping at `indent`, its values scalars, flow lists, folded text, nested mappings and lists."""
    lines, keys = [], draw(st.lists(TIDY_KEYS, min_size=1, max_size=4, unique=True))
    pad = " " * indent
    for k in keys:
        pick = draw(st.integers(0, 6 if depth < 3 else 3))
        if pick <= 1:
            lines.append(f"{pad}{k}: {draw(tidy_flow(0, indent))}" + draw(st.sampled_from(["", "", "  # c"])))
        elif pick == 2:
            scalar = draw(st.one_of(TIDY_NUMBERS, st.sampled_from(["rnn", "Ann Smith", '"q"'])))
            lines.append(f"{pad}{k}: {scalar}")
        elif pick == 3:
            body = draw(st.lists(st.sampled_from(["one two", "three", "x: y", "a, b"]), min_size=1, max_size=3))
            lines.append(f"{pad}{k}: {draw(st.sampled_from(['>-', '>', '|', '|-']))}")
            lines += [f"{pad}  {b}" for b in body]
        elif pick == 4:
            lines.append(f"{pad}{k}:")
            lines += draw(tidy_block(indent + 2, depth + 1))
        else:
            lines.append(f"{pad}{k}:")
            at = indent + draw(st.sampled_from([0, 2]))
            for _ in range(draw(st.integers(1, 3))):
                if draw(st.booleans()):
                    inner = draw(tidy_block(at + 2, depth + 1))
                    lines.append(" " * at + "- " + inner[0][at + 2:])
                    lines += inner[1:]
                else:
                    lines.append(" " * at + "- " + draw(st.one_of(TIDY_NUMBERS, tidy_flow(1, at))))
        if draw(st.integers(0, 6)) == 0:
            lines.append(draw(st.sampled_from(["", "# note", pad + "# c"])))
    return lines


@st.composite
def tidy_scenario(draw) -> str:
    """A file in the fast reader's subset, then now and then one hostile edit: the boundary."""
    text = "\n".join(draw(tidy_block(0, 0))) + draw(st.sampled_from(["\n", "", "\n\n"]))
    if draw(st.integers(0, 2)) == 0:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(list(":#,[]{}&*!|>'\"%@`?~\\ \t\n-") + [
            "\u2028", "\x85", "\ufeff", ": x", "  ", "---\n", "&a ", "!!int ", "\n  ", "- ", "\n\n"])) + text[at:]
    return text


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(tidy_scenario())
def test_tidy_scenarios_in_and_near_the_subset_read_alike(text):
    assert outcome(text, True) == outcome(text, False)
