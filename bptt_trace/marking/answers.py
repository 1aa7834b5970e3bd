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
from bptt_trace.marking.answers_fast import Block, read_blocks
from bptt_trace.numbers.written import check_number
from bptt_trace.scenario.yaml_fast import parse_fast
from bptt_trace.scenario.yaml_tree import Map, Node, Scalar, Seq, read_text

TOP_KEYS = ("scenario", "example", "answers", "examples", "total", "updated", "student", "variant")
BLANK = ("~", "null", "", "_", "___")
_PLAIN = re.compile(r"-?\d{1,20}(?:\.\d{1,20})?\Z")
MAX_ANSWERS = 50_000  # distinct answers kept by the line reader


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
    text = read_text(path) if text is None else text
    quick = quick_submission(text, name)
    if quick is not None:  # a plain file, as most are: read line by line
        return quick
    root = parse_fast(text, name)
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


_ANSWERS: dict[tuple, Answer] = {}  # (line number, line, section, example) -> the answer


def quick_submission(text: str, name: str) -> Submission | None:
    """The submission `load_answers` reads from `text`, by the line reader (`marking.answers_fast`), or None
    wherever the located tree must be read (outside its subset, or where `load_answers` would refuse it)."""
    root = read_blocks(text, _entries)
    return None if root is None else _submission(root, name)


def _submission(root, name: str) -> Submission | None:
    """`load_answers` on the read mappings; None wherever it would raise."""
    items = root.items
    if any(key not in TOP_KEYS for key in items):
        return None
    example = 1
    if "example" in items:
        example = _whole(items["example"])
        if example is None:
            return None
    out: list[Answer] = []
    sections = [("answers", items["answers"], example)] if "answers" in items else []
    if "examples" in items:
        node = items["examples"]
        if type(node) is not Block:
            return None
        for k, answers in node.items.items():
            if not (k.isascii() and k.isdigit()) or int(k) < 1:
                return None
            sections.append((f"examples.{k}", answers, int(k)))
    sections += [(s, items[s], None) for s in ("total", "updated") if s in items]
    for path, node, number in sections:
        answers = _answers(node, path.split(".")[0], number) if type(node) is Block else None
        if answers is None:
            return None
        out += answers
    if not out:
        return None
    student, variant = _scalar(items.get("student")), _scalar(items.get("variant"))
    return Submission(name, student if student is not None else Path(name).stem, tuple(out),
                      variant if variant is not None else "")


def _answers(block, section: str, example: int | None) -> list[Answer] | None:
    """One section's answers, each shared with any other sheet that has the same line at the same place
    (None for a nested mapping, which the full way reports)."""
    out = []
    table = _ANSWERS
    for key, item in block.items.items():
        if type(item) is not tuple:
            return None
        number, parsed, line = item
        token = (number, line, section, example)
        answer = table.get(token)
        if answer is None:
            answer = Answer(key, example, section, parsed.entries, number, parsed.indent + 1)
            if len(table) < MAX_ANSWERS:
                table[token] = answer
        out.append(answer)
    return out


def _whole(item: Any) -> int | None:
    """`_int` on a value read line by line: a whole number from 1, else None."""
    if type(item) is not tuple or not isinstance(item[1].node, Scalar):
        return None
    text = item[1].node.text
    return int(text) if text.isascii() and text.isdigit() and int(text) >= 1 else None


def _scalar(item: Any) -> str | None:
    """The text of a scalar value, else None."""
    return item[1].node.text if type(item) is tuple and isinstance(item[1].node, Scalar) else None
