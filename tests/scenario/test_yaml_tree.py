"""The located YAML tree: the same from the C and the pure-Python parser, with exact positions."""

from __future__ import annotations

import pytest

from bptt_trace.errors import InputError
from bptt_trace.scenario.yaml_tree import Map, Scalar, Seq, parse_yaml

TEXT = "a: 1e-3\nb: '0.5'\nc: [0.310, x]\nd:\n  e: |\n    block\n"


@pytest.mark.parametrize("pure", [False, True])
def test_tree_keeps_text_quoting_and_positions(pure):
    root = parse_yaml(TEXT, "t.yaml", pure=pure)
    assert isinstance(root, Map) and list(root.items) == ["a", "b", "c", "d"]
    assert root.items["a"] == Scalar("1e-3", False, 1, 4)
    assert root.items["b"] == Scalar("0.5", True, 2, 4)
    c = root.items["c"]
    assert isinstance(c, Seq) and c.items[0] == Scalar("0.310", False, 3, 5)
    assert root.items["d"].items["e"].quoted  # a block scalar is text, never a number
    assert root.key_lines["c"] == (3, 1)


@pytest.mark.parametrize("pure", [False, True])
@pytest.mark.parametrize("text,message", [
    ("a: &x 1\nb: *x\n", "anchors and aliases"),
    ("a: !!float 1\n", "YAML tag"),
    ("a: 1\na: 2\n", "duplicate key 'a'"),
    ("a: 1\n---\nb: 2\n", "second YAML document"),
    ("[" * 40 + "]" * 40, "nesting deeper than 32"),
    ("? [1, 2]\n: x\n", "must be a plain word"),
])
def test_refusals(pure, text, message):
    with pytest.raises(InputError, match=message):
        parse_yaml(text, "t.yaml", pure=pure)
