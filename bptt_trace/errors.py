"""Errors for bad input: each names the file, the key path, the line:column and what was expected."""

from __future__ import annotations


class InputError(Exception):
    """A problem with a user's file; the CLI prints it on one line and exits with code 2."""

    def __init__(self, file: str, message: str, path: str = "", line: int | None = None,
                 column: int | None = None) -> None:
        self.file, self.message, self.path, self.line, self.column = file, message, path, line, column
        super().__init__(self.describe())

    def describe(self) -> str:
        """`file:line:col: key.path: message`, leaving out the parts that are unknown."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        key = f"{self.path}: " if self.path else ""
        return f"{where}: {key}{self.message}"


class ArithmeticFault(Exception):
    """Overflow or NaN met while computing the trace; reported, never printed as `nan`."""


class ScenarioError(ValueError):
    """Bad input met through the Python API: `message` is what the command line prints after `error:`."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)
