"""The fast reader of answers files builds exactly the tree (or raises exactly the error) the full one does."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bptt_trace.errors import InputError
from bptt_trace.marking.answers import load_answers
from bptt_trace.scenario.yaml_fast import parse_fast, parse_simple
from bptt_trace.scenario.yaml_tree import Map, Scalar, Seq, parse_yaml

NUMBERS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.integers(-10**40, 10**40).map(str),
    st.sampled_from(["~", "0", "-0.5", "1e-3", "2E+5", ".5", "1.", "0x1F", "1_000", "+1", "-", "1/3", "-1/0.685",
                     "nan", ".inf", "null", "true", "1e", "00.10", "1:2", "12:30"]),
)
WORD_CHARS = "abhWxyzL0123456789_[]()/.+-·δŷ :#,&*!|>'\"%@`?{}~\\é\u00a0\u2028\x85\t"
KEYS = st.one_of(
    st.sampled_from(["h[1]", "z[2]", "loss", "dL/dW_hh", "W_hy (new)", "1", "2", "total", "y_hat", "W_xh·x[1]"]),
    st.text(WORD_CHARS, min_size=1, max_size=8),
)


@st.composite
def flow(draw, depth: int = 0) -> str:
    """A flow list, now and then with odd spacing, trailing commas, mappings or hostile items."""
    n = draw(st.integers(0, 4))
    items = [draw(flow(depth + 1)) if depth < 5 and draw(st.integers(0, 3)) == 0 else draw(NUMBERS) for _ in range(n)]
    sep = draw(st.sampled_from([", ", ",", " , ", ",  "]))
    inner = sep.join(items) + draw(st.sampled_from(["", "", "", ",", " "]))
    return draw(st.sampled_from(["[", "[", "[ ", "{a: "])) + inner + draw(st.sampled_from(["]", "]", " ]", "}", ""]))


def key(draw) -> str:
    k = draw(KEYS)
    style = draw(st.integers(0, 5))
    if style == 0:
        return '"' + k.replace("\\", "").replace('"', "") + '"'
    if style == 1:
        return "'" + k + "'"
    return k


def value(draw) -> str:
    kind = draw(st.integers(0, 9))
    if kind <= 3:
        return draw(flow())
    if kind <= 5:
        return draw(NUMBERS)
    if kind == 6:
        return draw(st.sampled_from(["!!str 1", "&a 0.5", "*a", "|", "- 1", '"0.310"', '"a\\tb"', "'x'", "Ann Smith",
                                     "a b#c", "0.5 # note", "[1, 2] # c", "[1, 2]#c", "0.5#c", "", "  ", "? x"]))
    return draw(st.text(WORD_CHARS, max_size=6))


@st.composite
def answers_text(draw) -> str:
    """A file of block mappings nested by indentation, with comments, blank lines and odd lines."""
    lines, depth = [], 0
    for _ in range(draw(st.integers(1, 12))):
        pick = draw(st.integers(0, 12))
        if pick == 0:
            lines.append(" " * draw(st.integers(0, 6)) + draw(st.sampled_from(["# c", "", "#", "---", "...", "%YAML 1.2"])))
            continue
        indent = " " * (2 * depth + draw(st.sampled_from([0, 0, 0, 0, 1, -1, -2])))
        if pick <= 3 and depth < 10:
            lines.append(f"{indent}{key(draw)}:" + draw(st.sampled_from(["", "", " ", " # x"])))
            depth += 1
            continue
        if pick == 4 and depth:
            depth -= draw(st.integers(1, depth))
        lines.append(f"{indent}{key(draw)}:{draw(st.sampled_from([' ', ' ', '  ', '']))}{value(draw)}")
    end = draw(st.sampled_from(["\n", "", "\n\n", "\r\n"]))
    return "\n".join(lines) + end


PLAIN_KEYS = st.sampled_from(["h[1]", "z[2]", "loss", "dL/dW_hh", "W_hy (new)", "1", "2", "y_hat", "W_xh·x[1]", "δ",
                              "student", "a b", "x-1", "true", "null", "e1"])
TOKENS = st.one_of(st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str),
                   st.integers(-10**30, 10**30).map(str), st.sampled_from(["~", "1e-3", "-2E+5", "0.000", "-0"]))


@st.composite
def tidy_list(draw, depth: int = 0) -> str:
    items = [draw(tidy_list(depth + 1)) if depth < 2 and draw(st.integers(0, 2)) == 0 else draw(TOKENS)
             for _ in range(draw(st.integers(0 if depth else 1, 4)))]
    return "[" + draw(st.sampled_from([", ", ",", " ,  "])).join(items) + "]"


@st.composite
def tidy_text(draw) -> str:
    """A file in the fast reader's subset, then now and then one hostile edit: the boundary."""
    lines, depth = [], 0
    for _ in range(draw(st.integers(1, 10))):
        k = draw(PLAIN_KEYS)
        k = f'"{k}"' if draw(st.integers(0, 2)) == 0 else k
        if depth < 4 and draw(st.integers(0, 3)) == 0:
            lines.append("  " * depth + f"{k}:")
            depth += 1
            continue
        v = draw(st.one_of(tidy_list(), TOKENS, st.sampled_from(['"Ann"', "Ann Smith", "sentiment.yaml"])))
        lines.append("  " * depth + f"{k}: {v}" + draw(st.sampled_from(["", "", "  # note", " "])))
        if depth and draw(st.integers(0, 2)) == 0:
            depth = draw(st.integers(0, depth - 1))
    text = "\n".join(lines) + "\n"
    if draw(st.integers(0, 2)) == 0:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(list(":#,[]{}&*!|>'\"%@`?~\\ \t\n-") + ["\u2028", "\x85", "\ufeff", ": x",
                                                                                       "  ", "---\n", "&a ", "!!int "])) + text[at:]
    return text


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(tidy_text())
def test_files_in_and_near_the_subset_read_alike(text):
    assert outcome(text, True) == outcome(text, False)


def outcome(text: str, fast: bool):
    try:
        return parse_fast(text, "f.yaml") if fast else parse_yaml(text, "f.yaml")
    except InputError as exc:
        return ("error", exc.describe())


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(answers_text())
def test_the_fast_reader_gives_the_full_readers_tree_or_error(text):
    assert outcome(text, True) == outcome(text, False)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text("ab1 .:-[],#\n\"'~&!{}", max_size=40))
def test_any_short_text_reads_alike(text):
    assert outcome(text, True) == outcome(text, False)


def test_an_answers_file_takes_the_fast_path_and_is_located():
    text = ('# from the template\nscenario: "sentiment.yaml"\nstudent: Ann Smith\nexamples:\n  1:\n'
            '    "h[1]": [0.226, ~, -1e-3]   # a comment\n    W: [[1, 2], [ 3 ,4]]\n    loss: 0.377\n'
            'total:\n  loss: 12345678901234567890123\n')
    tree = parse_simple(text)
    assert tree == parse_yaml(text, "f")
    h = tree.items["examples"].items["1"].items["h[1]"]
    assert h == Seq([Scalar("0.226", False, 6, 14), Scalar("~", False, 6, 21), Scalar("-1e-3", False, 6, 24)], 6, 13)
    assert tree.items["scenario"] == Scalar("sentiment.yaml", True, 2, 11)
    assert isinstance(tree, Map) and tree.key_lines["total"] == (9, 1)


def test_outside_the_subset_the_full_reader_decides():
    for text in ("a: &x 1\nb: *x\n", "a: 1\na: 2\n", "a: !!str 1\n", "a:\n  - 1\n", "a: {b: 1}\n", "a: [1,\n  2]\n",
                 "---\na: 1\n", "a: 'x'\n", "\ta: 1\n", "a:\n", "", "# only a comment\n", "a: 1\n  b: 2\n"):
        assert parse_simple(text) is None, text


def test_errors_keep_their_file_key_and_line(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("examples:\n  1:\n    loss: 0.3\n    loss: 0.4\n")
    try:
        load_answers(path)
    except InputError as exc:
        assert exc.describe() == f"{path}:4:5: examples.1.loss: duplicate key 'loss' (first given on line 3)"
    else:
        raise AssertionError("a duplicate key was accepted")
