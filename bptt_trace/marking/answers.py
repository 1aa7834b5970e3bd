"""A student's answers file: names (canonical or the scenario's notation) with numbers as written.

    scenario: sentiment.yaml        # informational
    example: 1                      # the example `answers:` are for (default 1)
    answers: {h[1]: [0.226, 0.309, 0.263], loss: 0.377}
    examples: {1: {...}, 2: {...}}  # or per example
    total: {loss: 1.512}            # sums over examples, as in the JSON output
    updated: {W_hy: [[0.281, 0.172, 0.372]]}
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bptt_trace.errors import InputError
from bptt_trace.numbers.written import check_number
from bptt_trace.scenario.yaml_fast import parse_fast, read_fast
from bptt_trace.scenario.yaml_tree import Map, Node, Scalar, Seq

TOP_KEYS = ("scenario", "example", "answers", "examples", "total", "updated", "student", "variant")
BLANK = ("~", "null", "", "_", "___")
_PLAIN = re.compile(r"-?\d{1,20}(?:\.\d{1,20})?\Z")


@dataclass(frozen=True)
class Entry:
    """One number as written (its text, checked to be a number), or a blank left to fill in."""

    text: str
    blank: bool = False


@dataclass(frozen=True)
class Answer:
    """One answer: the name as written, the example (None for total/updated), nested entries, place."""

    name: str
    example: int | None
    section: str
    entries: Any  # Entry, or (nested) lists of Entry; a str when the value is not a number
    line: int
    column: int


@dataclass(frozen=True)
class Submission:
    """All answers of one file, in file order."""

    file: str
    student: str
    answers: tuple[Answer, ...]
    variant: str = ""  # the per-student variant's id, when the file names one


def load_answers(path: str | Path, text: str | None = None) -> Submission:
    """Read and check the shape of an answers file (or of YAML `text` under that name); numbers are
    parsed exactly, never evaluated."""
    name = str(path)
    root = read_fast(path) if text is None else parse_fast(text, name)
    if not isinstance(root, Map):
        raise InputError(name, "expected a mapping with 'answers:' or 'examples:'", line=root.line, column=root.column)
    for key in root.items:
        if key not in TOP_KEYS:
            line, col = root.key_lines[key]
            raise InputError(name, f"unknown key '{key}'; expected {', '.join(TOP_KEYS)}", key, line, col)
    out: list[Answer] = []
    example = _int(name, root.items["example"], "example") if "example" in root.items else 1
    if "answers" in root.items:
        out += _section(name, root.items["answers"], "answers", example)
    if "examples" in root.items:
        node = root.items["examples"]
        if not isinstance(node, Map):
            raise InputError(name, "expected a mapping of example number -> answers", "examples", node.line, node.column)
        for k, answers in node.items.items():
            line, col = node.key_lines[k]
            if not k.isdigit() or int(k) < 1:
                raise InputError(name, f"expected an example number from 1, got '{k}'", f"examples.{k}", line, col)
            out += _section(name, answers, f"examples.{k}", int(k))
    for section in ("total", "updated"):
        if section in root.items:
            out += _section(name, root.items[section], section, None)
    if not out:
        raise InputError(name, "no answers: expected 'answers:', 'examples:', 'total:' or 'updated:'")
    student, variant = root.items.get("student"), root.items.get("variant")
    return Submission(name, student.text if isinstance(student, Scalar) else Path(name).stem, tuple(out),
                      variant.text if isinstance(variant, Scalar) else "")


def _int(file: str, node: Node, path: str) -> int:
    if not isinstance(node, Scalar) or not (node.text.isascii() and node.text.isdigit()) or int(node.text) < 1:
        raise InputError(file, "expected a whole number from 1", path, node.line, node.column)
    return int(node.text)


def _section(file: str, node: Node, path: str, example: int | None) -> list[Answer]:
    if not isinstance(node, Map):
        raise InputError(file, "expected a mapping of name -> value", path, node.line, node.column)
    out = []
    for key, value in node.items.items():
        line, col = node.key_lines[key]
        out.append(Answer(key, example, path.split(".")[0], _entries(value), line, col))
    return out


def _entries(node: Node) -> Any:
    """Entries as written; a string describing the problem when something is not a number."""
    if isinstance(node, Seq):  # a list of plain numbers, the common case, read in one go
        return [_plain_entry(n.text) if type(n) is Scalar and not n.quoted and _PLAIN.match(n.text) else _entries(n)
                for n in node.items]
    if isinstance(node, Map):
        return "a mapping"
    if not node.quoted and _PLAIN.match(node.text):  # the common case, `-0.226`, checked at once
        return _plain_entry(node.text)
    if node.text.strip() in BLANK and not node.quoted:
        return Entry(node.text, blank=True)
    if node.quoted:
        return f"text '{node.text}'"
    try:
        return Entry(check_number(node.text))
    except ValueError:
        return f"'{node.text}'"


_ENTRIES: dict[str, Entry] = {}  # plain numbers as Entry, shared (they are frozen): a class writes the same ones


def _plain_entry(text: str) -> Entry:
    entry = _ENTRIES.get(text)
    if entry is None:
        entry = Entry(text)
        if len(_ENTRIES) < 100_000:
            _ENTRIES[text] = entry
    return entry
