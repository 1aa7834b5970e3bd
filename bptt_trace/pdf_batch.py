"""Many documents with one preamble (a class's worksheets) typeset in one pdflatex run, then split
into one PDF each: pdflatex starts, loads its format and its fonts once a batch, not once a student.

Each document's pages start again at page 1 and are told apart by the page counts the run writes
into the PDF's info. The splitter reads only what pdfTeX writes with `\\pdfobjcompresslevel=0`
(plain objects, a classic xref table): each document's PDF holds its own pages and what they use
(content, fonts), renumbered in the order they are reached, so the same batch gives the same bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

from bptt_trace.pdf import PdfError, compile_pdf, split_preamble

_END = "\\end{document}"
_COUNTS_KEY = b"/BPTTPages"
# After each document: its pages ended, their count noted, the next one's numbered from 1 again.
_SEPARATOR = ("\\clearpage\\xdef\\bpttpages{\\bpttpages\\the\\numexpr\\value{page}-1\\relax\\space}"
              "\\setcounter{page}{1}\n")


def compile_batch(texs: list[str], fmt: Path | None = None, timeout: float = 120) -> list[bytes]:
    """The PDF of each document, typeset in one pdflatex run when they share their preamble."""
    heads = {split_preamble(t)[0] for t in texs}
    if len(heads) != 1:  # nothing to share: each compiled on its own
        return [compile_pdf(t, timeout=timeout, fmt=fmt, batch=True) for t in texs]
    parts = ["\\begin{document}\n\\pdfobjcompresslevel=0 \\gdef\\bpttpages{}%\n"]
    for tex in texs:
        body = split_preamble(tex)[1]
        inner = body[body.index("\n") + 1:body.rindex(_END)]  # between \begin{document} and \end{document}
        parts += [inner, _SEPARATOR]
    parts.append(f"\\pdfinfo{{{_COUNTS_KEY.decode()} (\\bpttpages)}}\n{_END}\n")
    whole = compile_pdf(heads.pop() + "".join(parts), timeout=timeout, fmt=fmt, batch=True)
    return split_pdf(whole)


_XREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_REF = re.compile(rb"(\d+) 0 R\b")
_HEAD = re.compile(rb"\s*(\d+) 0 obj\s")
_STREAM = re.compile(rb"(?<=>>)\s*stream\r?\n")


def split_pdf(pdf: bytes) -> list[bytes]:
    """One PDF for each document of a batch PDF `compile_batch` made, in order."""
    objects, trailer = _objects(pdf)
    info = objects[_ref(trailer, b"/Info")]
    found = re.search(re.escape(_COUNTS_KEY) + rb" \(([\d ]*)\)", info)
    if found is None:
        raise PdfError("the batch PDF does not say which pages are whose")
    counts = [int(n) for n in found.group(1).split()]
    pages = _pages(objects, _ref(objects[_ref(trailer, b"/Root")], b"/Pages"))
    if sum(counts) != len(pages) or not all(counts):
        raise PdfError(f"the batch PDF has {len(pages)} pages, its documents {sum(counts)}")
    info = info[:found.start()] + info[found.end():]
    out, at = [], 0
    for n in counts:
        out.append(_write(objects, pages[at:at + n], info))
        at += n
    return out


def _objects(pdf: bytes) -> tuple[dict[int, bytes], bytes]:
    """Each object's text (from after `N 0 obj` up to its `endobj`) by number, and the trailer."""
    m = _XREF.search(pdf[-64:])
    start = int(m.group(1)) if m else -1
    if not pdf.startswith(b"%PDF-") or not pdf.startswith(b"xref", start):
        raise PdfError("not a PDF with a classic xref table")
    table, _, trailer = pdf[start:].partition(b"trailer")
    offsets = sorted((int(o), num) for num, (o, _, kind) in enumerate(_ENTRY.findall(table)) if kind == b"n")
    bounds = [o for o, _ in offsets[1:]] + [start]
    objects = {}
    for (offset, num), end in zip(offsets, bounds):
        head = _HEAD.match(pdf, offset)
        body = pdf[head.end():end].rstrip() if head and int(head.group(1)) == num else b""
        if not body.endswith(b"endobj"):
            raise PdfError(f"object {num} of the batch PDF cannot be read")
        objects[num] = body[:-len(b"endobj")]
    return objects, trailer


def _ref(text: bytes, key: bytes) -> int:
    """The object number a dictionary's `key` refers to."""
    found = re.search(re.escape(key) + rb"\s+(\d+) 0 R", text)
    if found is None:
        raise PdfError(f"the batch PDF has no {key.decode()}")
    return int(found.group(1))


def _pages(objects: dict[int, bytes], node: int) -> list[int]:
    """The page objects under a page-tree node, in order; a node may pass nothing on to its pages."""
    text = objects[node]
    if re.search(rb"/Type\s*/Page\b", text):
        return [node]
    keys = set(re.findall(rb"/(\w+)", _dict_part(text).split(b"/Kids")[0])) - {b"Type", b"Pages", b"Count",
                                                                                   b"Parent"}
    if keys:
        raise PdfError("the batch PDF's page tree passes attributes on to its pages")
    kids = re.search(rb"/Kids\s*\[([^\]]*)\]", text)
    return [p for kid in _REF.findall(kids.group(1) if kids else b"") for p in _pages(objects, int(kid))]


def _dict_part(text: bytes) -> bytes:
    """An object's text before its stream data (all of it when it has none): where its references are."""
    found = _STREAM.search(text)
    return text if found is None else text[:found.start()]


def _write(objects: dict[int, bytes], pages: list[int], info: bytes) -> bytes:
    """A PDF of `pages` and every object they reach (not their parents), numbered as they are reached."""
    new: dict[int, int] = {}
    order: list[int] = []

    def number(old: int) -> int:
        if old not in new:
            new[old] = len(new) + 3  # 1: catalog, 2: page tree
            order.append(old)
        return new[old]

    kids = b" ".join(b"%d 0 R" % number(p) for p in pages)
    bodies, leaves = [], set(pages)
    for old in order:  # grows while it is walked: what each object refers to is numbered after it
        text = objects[old]
        head = _dict_part(text)
        if old in leaves:
            head = _renumber_page(head, number)
        else:
            head = _REF.sub(lambda m: b"%d 0 R" % number(int(m.group(1))), head)
        bodies.append(head + text[len(_dict_part(text)):])
    first = [b"<< /Type /Catalog /Pages 2 0 R >>\n", b"<< /Type /Pages /Count %d /Kids [%s] >>\n" % (len(pages), kids)]
    return _assemble(first + bodies + [info])


def _renumber_page(head: bytes, number) -> bytes:
    """A page's dictionary with its references renumbered, its parent the new page tree."""
    parts = re.split(rb"(/Parent\s+\d+ 0 R)", head)
    return b"".join(b"/Parent 2 0 R" if p.startswith(b"/Parent") else
                    _REF.sub(lambda m: b"%d 0 R" % number(int(m.group(1))), p) for p in parts)


def _assemble(bodies: list[bytes]) -> bytes:
    """A PDF file of objects numbered 1, 2, … (the last one its info), with its xref table."""
    out = bytearray(b"%PDF-1.5\n%\xd0\xd4\xc5\xd8\n")
    offsets = []
    for k, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % k + body.rstrip(b"\n") + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1, len(bodies), xref)
    return bytes(out)
