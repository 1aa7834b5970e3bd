"""Writing a user's output file safely: never over an existing file without force, always atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class OutputError(Exception):
    """The output path cannot be written as asked."""


def check_target(path: str | Path, force: bool) -> Path:
    """The path to write, refusing a missing directory or an existing file (unless force)."""
    p = Path(path)
    if p.is_dir():
        raise OutputError(f"{p}: is a directory; give a file name")
    if not p.parent.is_dir():
        raise OutputError(f"{p}: the directory {p.parent} does not exist")
    if p.exists() and not force:
        raise OutputError(f"{p}: already exists; use --force to overwrite it")
    return p


def write_atomic(path: str | Path, data: str | bytes, force: bool = False) -> Path:
    """Write to a temporary file beside `path`, then rename it into place."""
    p = check_target(path, force)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; a user's file gets their usual mode
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
