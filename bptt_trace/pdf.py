"""Compiling a LaTeX worksheet with pdflatex, safely: no shell escape, no reading outside the job."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from bptt_trace.output import process_alive

TEMP_PREFIX = "bptt-trace-pdf-"
_TEMP_NAME = re.compile(rf"^{TEMP_PREFIX}(\d+)-")

INSTALL_HINT = ("pdflatex was not found. Install a TeX distribution (Debian/Ubuntu: "
                "apt-get install texlive-latex-base texlive-latex-recommended; macOS: MacTeX; Windows: MiKTeX), "
                "or export a .tex file and compile it yourself.")


class PdfError(Exception):
    """pdflatex is missing or failed; the message says which and how to go on."""


def compile_pdf(tex: str, timeout: float = 120, fmt: Path | None = None, batch: bool = False) -> bytes:
    """The PDF of a LaTeX document, compiled in a fresh temporary directory.

    `fmt`: a format `make_format` made of this document's preamble, read instead of the preamble.
    `batch`: one of many documents with one preamble (a class's worksheets): no date or random id in
    the PDF, so the same source gives the same bytes; and the first pass seeded (see `_passes`).
    """
    exe = shutil.which("pdflatex")
    if exe is None:
        raise PdfError(INSTALL_HINT)
    remove_leftovers()
    head, body = split_preamble(tex)
    if fmt is not None and fmt.stem != format_name(head):
        fmt = None  # made from another preamble: compile the whole document
    source = body if fmt is not None else tex
    if batch:
        source = REPRODUCIBLE + source
    with _terminated_cleanly(), tempfile.TemporaryDirectory(prefix=f"{TEMP_PREFIX}{os.getpid()}-") as tmp:
        (Path(tmp) / "worksheet.tex").write_text(source, encoding="utf-8")
        cmd = [exe, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "worksheet.tex"]
        if fmt is not None:
            os.symlink(fmt, Path(tmp) / fmt.name)
            cmd.insert(1, f"-fmt={fmt.stem}")
        key = format_name(head) if batch else None
        _passes(cmd, Path(tmp), timeout, key)
        return (Path(tmp) / "worksheet.pdf").read_bytes()


REPRODUCIBLE = "\\pdfinfoomitdate=1 \\pdftrailerid{}%\n"  # the same PDF, byte for byte, from the same source
_SETTLED_AUX: dict[str, str] = {}  # format name -> the .aux the last document compiled with it settled on


def _passes(cmd: list[str], tmp: Path, timeout: float, key: str | None) -> None:
    """pdflatex again while TeX asks for it (longtable settling its column widths), at most 3 times.

    With a key, the first pass reads the .aux the last document with the same preamble settled on (one
    more pass allowed): where its tables come out as wide, TeX asks for no rerun and one pass is the
    whole compile. Whatever the seed, the passes end only at a run whose tables came out as the .aux it
    read said (longtable compares them), so the PDF is the one a fresh compile settles on.
    """
    seeded = key in _SETTLED_AUX
    if seeded:
        (tmp / "worksheet.aux").write_text(_SETTLED_AUX[key], encoding="utf-8")
    env = {**os.environ, "openin_any": "p", "openout_any": "p"}
    for _ in range(3 + seeded):
        try:
            proc = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, errors="replace",
                                  timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise PdfError(f"pdflatex did not finish within {timeout:.0f} s") from None
        if proc.returncode != 0:
            errors = [line for line in proc.stdout.splitlines() if line.startswith("!")]
            raise PdfError("pdflatex failed: " + ("; ".join(errors[:3]) or f"exit code {proc.returncode}"))
        if "Rerun" not in (tmp / "worksheet.log").read_text(errors="replace"):
            break
    if key is not None and (tmp / "worksheet.aux").is_file():
        _SETTLED_AUX[key] = (tmp / "worksheet.aux").read_text(encoding="utf-8", errors="replace")


_BEGIN = "\\begin{document}"


def split_preamble(tex: str) -> tuple[str, str]:
    """(preamble, the rest from `\\begin{document}` on); the preamble is empty when there is no such line."""
    at = tex.find("\n" + _BEGIN)
    return (tex[:at + 1], tex[at + 1:]) if at >= 0 else ("", tex)


def format_name(preamble: str) -> str:
    """The name of the format made from a preamble: the same preamble, the same name."""
    import hashlib
    return "bptt-" + hashlib.sha256(preamble.encode("utf-8")).hexdigest()[:16]


def make_format(tex: str, folder: Path, timeout: float = 120) -> Path | None:
    """A pdflatex format of the document's preamble (its packages loaded once), in `folder`; None when the
    document has no preamble to dump or pdflatex cannot dump it (then documents compile whole)."""
    exe = shutil.which("pdflatex")
    head, _ = split_preamble(tex)
    if exe is None or not head:
        return None
    name = format_name(head)
    (folder / f"{name}.tex").write_text(head + "\\dump\n", encoding="utf-8")
    env = {**os.environ, "openin_any": "p", "openout_any": "p"}
    try:
        proc = subprocess.run([exe, "-ini", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
                               f"-jobname={name}", "&pdflatex", f"{name}.tex"], cwd=folder, env=env,
                              capture_output=True, text=True, errors="replace", timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None
    fmt = folder / f"{name}.fmt"
    if proc.returncode != 0 or not fmt.is_file():
        return None
    _uncompress(fmt)
    return fmt


def _uncompress(fmt: Path) -> None:
    """The format stored uncompressed: pdfTeX dumps it gzipped and reads either, and unpacking it costs each
    run that loads it more than the rest of its start (a format is read once a compile, made once a class)."""
    import gzip
    with contextlib.suppress(OSError, EOFError, gzip.BadGzipFile):
        plain = fmt.with_suffix(".plain")
        with gzip.open(fmt, "rb") as packed, open(plain, "wb") as out:
            shutil.copyfileobj(packed, out, 1 << 20)
        os.replace(plain, fmt)


class _Terminated(BaseException):
    """SIGTERM arrived during a compilation; raised so that the temporary directory is removed."""


@contextlib.contextmanager
def _terminated_cleanly():
    """While compiling, SIGTERM unwinds (removing the temporary directory) and then ends the process."""
    def on_term(signum, frame):
        raise _Terminated()
    try:
        previous = signal.signal(signal.SIGTERM, on_term)
    except ValueError:  # not the main thread: no handler can be set
        yield
        return
    try:
        yield
    except _Terminated:
        signal.signal(signal.SIGTERM, previous)
        raise SystemExit(128 + signal.SIGTERM) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def remove_leftovers(directory: str | None = None) -> list[Path]:
    """Remove the compilation directories that runs no longer alive (killed) left; return them."""
    base = Path(directory or tempfile.gettempdir())
    removed = []
    try:
        entries = list(base.iterdir())
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP_NAME.match(entry.name)
        if not m or process_alive(int(m.group(1))):
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir() and not entry.is_symlink() and entry.stat().st_uid == os.getuid():
                shutil.rmtree(entry)
                removed.append(entry)
    return removed



PNG_HINT = ("pdftoppm (poppler-utils) was not found, and PNG files are made with it from the PDF. Install it "
            "(Debian/Ubuntu: apt-get install poppler-utils; macOS: brew install poppler), or write .svg or .pdf.")


def pdf_to_png(pdf: bytes, dpi: int = 150, timeout: float = 60) -> bytes:
    """The first page of a PDF as a PNG image, drawn by poppler's pdftoppm."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise PdfError(PNG_HINT)
    with _terminated_cleanly(), tempfile.TemporaryDirectory(prefix=f"{TEMP_PREFIX}{os.getpid()}-") as tmp:
        (Path(tmp) / "in.pdf").write_bytes(pdf)
        try:
            proc = subprocess.run([exe, "-png", "-r", str(dpi), "-singlefile", "in.pdf", "out"], cwd=tmp,
                                  capture_output=True, text=True, errors="replace", timeout=timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise PdfError(f"pdftoppm did not finish within {timeout:.0f} s") from None
        if proc.returncode != 0:
            raise PdfError(f"pdftoppm failed: {proc.stderr.strip()[:200] or proc.returncode}")
        return (Path(tmp) / "out.png").read_bytes()
