"""The unrolled picture for the commands: `draw` to an SVG, LaTeX, PDF or PNG file, and the
figures of the worksheets (LaTeX inline; SVG files linked from Markdown).

SVG is written by the tool itself. PDF is the LaTeX picture compiled by pdflatex (as the PDF
worksheets are) and PNG that PDF drawn by poppler's pdftoppm: no imaging library is needed.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from bptt_trace.jobs import BadInput, Job

FORMATS = ("svg", "pdf", "png", "tex")
TEX_LIMIT = 21000  # px: TeX's largest dimension is 16383 pt, and a pixel is drawn as 0.75 pt


def draw_format(output: str) -> str:
    """svg, pdf, png or tex, from the output file's suffix; `-` (standard output) is SVG."""
    if output == "-":
        return "svg"
    suffix = output.rsplit(".", 1)[-1].lower() if "." in output else ""
    if suffix not in FORMATS:
        raise BadInput(f"{output}: cannot tell the format from the suffix; use .svg, .pdf, .png or .tex")
    return suffix


def picture_of(job: Job, example: int, phase: str = "both", hide=None, compact: bool = False,
               full: bool | None = None):
    """The placed picture of one example of a job, in its number format and notation; `full` (default the
    job's --full) draws every step and entry."""
    from bptt_trace.render.labels import Labels
    from bptt_trace.render.numfmt import NumberFormat
    from bptt_trace.render.unrolled_view import picture
    return picture(job.trace, example, NumberFormat(job.mode.decimals, job.mode.digits), Labels(job.mode.notation),
                   phase, hide, job.full if full is None else full, job.report, compact)


def render(job: Job, example: int, fmt: str, phase: str, blank: bool) -> str | bytes:
    """The file's content: SVG or LaTeX text, or PDF or PNG bytes."""
    from bptt_trace.render.unrolled_svg import svg
    from bptt_trace.render.unrolled_tex import standalone_tex
    from bptt_trace.jobs import answers
    pic = picture_of(job, example, phase, _hide(answers(job, "all", False)) if blank else None)
    if fmt == "svg":
        return svg(pic)
    if max(pic.width, pic.height) > TEX_LIMIT:
        raise BadInput(f"the picture is {pic.width}×{pic.height} px, more than LaTeX can draw ({TEX_LIMIT} px); "
                       "write .svg, or leave out --full")
    if fmt == "tex":
        return standalone_tex(pic)
    from bptt_trace.pdf import compile_pdf, pdf_to_png
    pdf = compile_pdf(standalone_tex(pic))
    return pdf if fmt == "pdf" else pdf_to_png(pdf)


def _hide(answers):
    """What a worksheet's figure blanks: the blanked quantities of a blank worksheet."""
    return (lambda name: name in answers.names) if answers.mode == "blank" else None


def latex_figures(job: Job, answers) -> dict[int, str]:
    """Each example's figure for a LaTeX worksheet: the main quantities, blanked as the worksheet is, long
    sequences elided even with --full (TeX's dimensions are bounded; the tables hold every step)."""
    from bptt_trace.render.unrolled_tex import figure_tex
    return {k: figure_tex(picture_of(job, k, hide=_hide(answers), compact=True, full=False)) for k in job.chosen}


def svg_sidecars(job: Job, answers, output: str) -> dict[Path, tuple[int, str]]:
    """The SVG files a Markdown worksheet links to, beside it: `NAME-example-K.svg`, and their content
    (long sequences elided even with --full: the tables hold every step)."""
    from bptt_trace.render.unrolled_svg import svg
    base = Path(output)
    hide = _hide(answers)
    return {base.with_name(f"{base.stem}-example-{k}.svg"): (k, svg(picture_of(job, k, hide=hide, full=False)))
            for k in job.chosen}


def markdown_links(files: dict[Path, tuple[int, str]]) -> dict[int, str]:
    """The Markdown image link of each example's SVG, relative to the worksheet."""
    return {k: f"![The unrolled network of example {k}]({quote(path.name)})" for path, (k, _) in files.items()}
