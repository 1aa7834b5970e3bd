"""Writing a user's output file safely: never over an existing file without force, always atomically.

The data goes to a temporary file beside the target, then into place in one step: linked when
the target must not exist (so of several writers exactly one wins), renamed over it with force.
Only regular files are ever replaced: a FIFO, a device or a directory is refused even with
force, and so is a dangling symbolic link without it. A write that fails (read-only file
system, disk full) leaves the old file as it was and no temporary file behind; temporary files
are named `.bptt-trace-PID-….tmp`, so a later run removes those a killed run left.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from pathlib import Path

TEMP_PREFIX = ".bptt-trace-"
_TEMP_NAME = re.compile(rf"^{re.escape(TEMP_PREFIX)}(\d+)-.*\.tmp$")


class OutputError(Exception):
    """The output path cannot be written as asked."""


def check_target(path: str | Path, force: bool) -> Path:
    """The path to write, refusing a missing directory, a non-regular file, or an existing file (unless force)."""
    p = Path(path)
    try:
        link = os.lstat(p)
    except FileNotFoundError:
        link = None
    except OSError as exc:
        raise OutputError(f"{p}: cannot be written ({exc.strerror})") from None
    if link is not None and stat.S_ISLNK(link.st_mode):
        try:
            target = os.stat(p)
        except OSError:
            if not force:
                raise OutputError(f"{p}: is a symbolic link to a missing file; use --force to replace the link")
            target = None
    else:
        target = link
    if target is not None:
        if stat.S_ISDIR(target.st_mode):
            raise OutputError(f"{p}: is a directory; give a file name")
        if not stat.S_ISREG(target.st_mode):
            raise OutputError(f"{p}: is not a regular file ({_kind(target.st_mode)}); it is never replaced, "
                              "even with --force")
        if not force:
            raise OutputError(f"{p}: already exists; use --force to overwrite it")
    if not p.parent.is_dir():
        raise OutputError(f"{p}: the directory {p.parent} does not exist")
    return p


def write_atomic(path: str | Path, data: str | bytes, force: bool = False) -> Path:
    """Write to a temporary file beside `path`, then link (new file) or rename (force) it into place."""
    p = check_target(path, force)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    remove_leftovers(p.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=".tmp", dir=p.parent)
    except OSError as exc:
        raise OutputError(f"{p}: cannot be written ({exc.strerror})") from None
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; a user's file gets their usual mode
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        _into_place(tmp, p, force)
    except OSError as exc:
        raise OutputError(f"{p}: cannot be written ({exc.strerror or exc})") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return p


def _into_place(tmp: str, p: Path, force: bool) -> None:
    """Link the finished file to `p` (failing if it appeared meanwhile), or rename it over `p` with force."""
    if force:
        check_target(p, force)  # again, just before: it may have become a FIFO or a device
        os.replace(tmp, p)
        return
    try:
        os.link(tmp, p)
    except FileExistsError:
        raise OutputError(f"{p}: already exists; use --force to overwrite it") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        _create_exclusive(tmp, p)  # a file system without hard links


def _create_exclusive(tmp: str, p: Path) -> None:
    try:
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        raise OutputError(f"{p}: already exists; use --force to overwrite it") from None
    with os.fdopen(fd, "wb") as f, open(tmp, "rb") as src:
        f.write(src.read())


def remove_leftovers(directory: str | Path) -> list[Path]:
    """Remove the temporary files that runs no longer alive left in `directory`; return them."""
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        m = _TEMP_NAME.match(name)
        if m and not process_alive(int(m.group(1))):
            leftover = Path(directory) / name
            try:
                leftover.unlink()
                removed.append(leftover)
            except OSError:
                pass
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs (one of another user counts as running)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # a process of another user
        return True
    return True


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a special file"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
