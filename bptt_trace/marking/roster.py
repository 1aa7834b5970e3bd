"""A class roster: one student a row, with an id and a name, read from a CSV file with a header.

    id,name
    17,Ada Lovelace
    18,Alan Turing

The id column may also be called `student_id` or `student`. Ids are unique and name the
student's folder, so they hold letters, digits, `-`, `_` and `.` only.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import NamedTuple

from bptt_trace.errors import InputError

ID_COLUMNS = ("id", "student_id", "student")
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MAX_ROSTER = 100_000
MAX_BYTES = 16 * 1024 * 1024


class Student(NamedTuple):
    """One roster row."""

    id: str
    name: str


def read_roster(path: str | Path) -> list[Student]:
    """The roster's students in file order; InputError naming the file, column and line otherwise."""
    name = str(path)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(name, f"cannot read the roster: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise InputError(name, f"the roster is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(name, f"not UTF-8 text (byte {exc.start})") from None
    rows = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(rows, [])]
    column = next((c for c in ID_COLUMNS if c in header), None)
    if column is None:
        raise InputError(name, "expected a header row with an id column (id, student_id or student) and a name "
                               f"column, got {', '.join(header) or 'an empty file'}", line=1)
    at, named = header.index(column), header.index("name") if "name" in header else None
    students, seen = [], {}
    for line, row in enumerate(rows, start=2):
        if not any(c.strip() for c in row):
            continue
        sid = row[at].strip() if at < len(row) else ""
        if not SAFE_ID.fullmatch(sid):
            raise InputError(name, f"expected an id of letters, digits, '-', '_' or '.', got {sid!r}", column, line)
        if sid in seen:
            raise InputError(name, f"id {sid!r} is also on line {seen[sid]}", column, line)
        seen[sid] = line
        who = row[named].strip() if named is not None and named < len(row) else sid
        if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in who):
            raise InputError(name, "a name holds a control character", "name", line)
        students.append(Student(sid, who))
        if len(students) > MAX_ROSTER:
            raise InputError(name, f"more than {MAX_ROSTER:,} students", column, line)
    if not students:
        raise InputError(name, "the roster lists no students", column, 2)
    return students


def numbered(count: int) -> list[Student]:
    """A class of `count` students without a roster: ids s001, s002, …"""
    width = max(3, len(str(count)))
    return [Student(f"s{k:0{width}d}", f"Student {k}") for k in range(1, count + 1)]
