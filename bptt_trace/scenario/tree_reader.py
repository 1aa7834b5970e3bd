"""Reading a located YAML tree against expected shapes (mappings, choices, numbers, vectors,
matrices), with one clear error naming the file, the key and line:column."""

from __future__ import annotations

from fractions import Fraction

from bptt_trace.errors import InputError
from bptt_trace.numbers.written import parse_number
from bptt_trace.scenario.spec import Matrix, Vector
from bptt_trace.scenario.yaml_tree import Map, Node, Scalar, Seq


class TreeReader:
    """Checks nodes of one file's tree; subclasses read a particular format."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, node: Node | None, path: str, message: str) -> InputError:
        line, col = (node.line, node.column) if node is not None else (None, None)
        return InputError(self.file, message, path, line, col)

    def mapping(self, node: Node, path: str, allowed: tuple[str, ...],
                required: tuple[str, ...] = ()) -> dict[str, Node]:
        if not isinstance(node, Map):
            what = "the file" if not path else path
            raise self.fail(node, path, f"expected a mapping of keys for {what}, got {kind_of(node)}")
        for key in node.items:
            if key not in allowed:
                hint = close_matches(key, allowed, n=1)
                also = f"; did you mean '{hint[0]}'?" if hint else f"; allowed keys: {', '.join(allowed)}"
                line, col = node.key_lines[key]
                raise InputError(self.file, f"unknown key '{key}'{also}", _join(path, key), line, col)
        for key in required:
            if key not in node.items:
                raise self.fail(node, _join(path, key), f"missing required key '{key}'")
        return node.items

    def text(self, node: Node, path: str) -> str:
        if not isinstance(node, Scalar):
            raise self.fail(node, path, f"expected text, got {kind_of(node)}")
        return node.text

    def choice(self, node: Node, path: str, options: tuple[str, ...]) -> str:
        value = self.text(node, path)
        if value not in options:
            hint = close_matches(value, options, n=1)
            also = f" (did you mean '{hint[0]}'?)" if hint else ""
            raise self.fail(node, path, f"expected one of {' | '.join(options)}, got '{value}'{also}")
        return value

    def number(self, node: Node, path: str) -> Fraction:
        if not isinstance(node, Scalar) or node.quoted:
            got = f"text '{node.text}'" if isinstance(node, Scalar) else kind_of(node)
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
            raise self.fail(node, path, f"expected a list of numbers, got {kind_of(node)}")
        if length is not None and len(node.items) != length:
            raise self.fail(node, path, f"must have {length} entries{what}, got {len(node.items)}")
        if not node.items:
            raise self.fail(node, path, "expected a non-empty list of numbers")
        try:  # the common case at speed: unquoted scalars, each path written only for a message
            return tuple([parse_number(item.text) if type(item) is Scalar and not item.quoted else _Slow.fail()
                          for item in node.items])
        except (ValueError, _Slow):
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

    def flag(self, node: Node, path: str) -> bool:
        value = self.text(node, path)
        if value not in ("true", "false"):
            raise self.fail(node, path, f"expected true or false, got '{value}'")
        return value == "true"


class _Slow(Exception):
    """An item the fast path of `vector` leaves to `number`, which names it in its message."""

    @classmethod
    def fail(cls) -> Fraction:
        raise cls


def close_matches(word: str, options, n: int = 1) -> list[str]:
    """The nearest options to a misspelt word (difflib is imported only when a file has an error)."""
    import difflib
    return difflib.get_close_matches(word, list(options), n=n)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def kind_of(node: Node) -> str:
    """How a node is described in a message: a mapping, a list, or its text."""
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    return f"'{node.text}'" if node.text else "nothing"
