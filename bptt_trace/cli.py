"""The command line: parse options, load, run, pick a renderer, print, map errors to exit codes.

The only module that prints or exits. Heavy modules are imported inside the commands that use them.
"""

from __future__ import annotations

import sys

import click

from bptt_trace.version import __version__
from bptt_trace import jobs
from bptt_trace.guard import Group
from bptt_trace.jobs import EXIT_BAD_INPUT, BadInput, Job
from bptt_trace.printing import chosen_width, print_lines
from bptt_trace.watching import Watch
from bptt_trace.scenario.spec import UPDATES

PRESET_NAMES = ("default", "wi-wh-wo", "uvw")  # bptt_trace.scenario.notation.PRESETS, kept import-free here


def _round_option(ctx, param, value: str | None) -> int | str | None:
    if value is None or value == "off":
        return value
    if value.isascii() and value.isdigit() and 0 <= int(value) <= 12:
        return int(value)
    raise click.BadParameter("expected a whole number of decimals from 0 to 12, or 'off'")


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="bptt-trace")
def main() -> None:
    """Worked hand calculations of neural-network training (RNN, LSTM, GRU, bidirectional RNN, MLP):
    forward pass, backpropagation (through time) and the update, step by step."""


BUDGET_OPTION = click.option(
    "--budget", metavar="memory=SIZE,output=SIZE,time=DURATION", default=None,
    help="Raise (or lower) the limits on the work estimated before starting; default memory=2G,output=200M,time=10m.")


def trace_options(f):
    """The options that choose what is traced and how numbers are computed and shown."""
    options = [
        click.option("--example", "example", type=int, default=None, metavar="N",
                     help="Trace only example N (from 1); totals and the update then use it alone."),
        click.option("--round", "round_", callback=_round_option, metavar="K|off", default=None,
                     help="Hand calculation: round every written result to K decimals before it is used again "
                          "(decimal arithmetic); 'off' for full precision. Default: the scenario's display.round, else a hand "
                          "calculation at the display decimals (full precision for --format json)."),
        click.option("--round-mode", type=click.Choice(["round", "truncate"]), default=None,
                     help="With --round: round half up, or truncate (chop digits) as many students do."),
        click.option("--exact", is_flag=True,
                     help="Exact arithmetic with sympy: fractions stay exact, tanh(23/100) stays symbolic."),
        click.option("--digits", type=click.IntRange(1, 30), default=None,
                     help="With --exact: significant digits of the ≈ values (default 6)."),
        click.option("--decimals", type=click.IntRange(0, 15), default=None,
                     help="Decimals shown (default 3, or K with --round K; products inside a dot product get one "
                          "more). Display only."),
        click.option("--notation", type=click.Choice(PRESET_NAMES), default=None,
                     help="Names to show: default (W_xh, W_hh, W_hy), wi-wh-wo (Wi, Wh, Wo, hidden state O) or "
                          "uvw (U, W, V, b, c)."),
        click.option("--paths", "paths", metavar="PARAM", default=None,
                     help="Show dL/dPARAM as the sum of chain-rule paths through time instead of the trace; PARAM "
                          "is W_hh, W_xh, b_h, W_hy or b_y (or the notation's name, such as Wh), or one entry "
                          "such as 'W_hh[1,2]' (from 1). Computed in float64."),
        click.option("--full", is_flag=True, help="Show every row and column of large vectors and matrices, and "
                     "every time step of a long sequence."),
        click.option("--steps", default="auto", metavar="A-B", help="Show these time steps in full (7, 40-45 or "
                     "3,7-9). Default: a sequence of more than 12 steps shows its first 3 and last 3."),
        BUDGET_OPTION,
    ]
    for option in reversed(options):
        f = option(f)
    return f


@main.command(short_help="Trace the forward pass, BPTT and one update.", epilog=(
    "\b\nExamples:\n  bptt-trace run sentiment\n  bptt-trace run sentiment --round 3 --example 1\n"
    "  bptt-trace run xor --format json > xor.json"))
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["terminal", "json"]), default="terminal", show_default=True,
              help="terminal: worked tables for people; json: every value under its canonical name.")
@trace_options
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: on for a terminal, "
              "off when piped or NO_COLOR is set).")
@click.option("--width", type=click.IntRange(40, 1000), default=None, help="Terminal width in columns.")
@click.option("--indent", type=click.IntRange(0, 16), default=None, metavar="N",
              help="With --format json: indent by N spaces (default: compact, written as it is computed).")
@click.option("--only", default=None, metavar="NAMES",
              help="With --format json: only these quantities, comma-separated canonical names in which * stands "
                   "for any characters, e.g. 'h[*],dL/dW_*'.")
def run(scenario: str, fmt: str, color: bool | None, width: int | None, indent: int | None, only: str | None,
        **options) -> None:
    """Trace the forward pass, full BPTT and one gradient-descent update of SCENARIO (a YAML file)."""
    if fmt != "json" and (indent is not None or only is not None):
        raise BadInput("--indent and --only shape the JSON: use them with --format json")
    if fmt == "json" and options["steps"] != "auto":
        raise BadInput("--steps chooses what people read; JSON has every time step (pick quantities with --only)")
    job = jobs.prepare(scenario, listing=fmt == "json", readers="programs" if fmt == "json" else "people", **options)
    if fmt == "json":
        from bptt_trace.watching import watch_writing
        watch, out = watch_writing(sys.stdout, "writing JSON")
        with watch:
            jobs.write_json(job, out, indent, only)
        return
    _print_terminal(job, color, width)


@main.command(short_help="Write a Markdown, LaTeX or PDF worksheet.", epilog=(
    "\b\nExamples:\n  bptt-trace export sentiment -o sentiment.md\n"
    "  bptt-trace export sentiment -o homework.pdf --blank backward --round 3\n"
    "  bptt-trace export xor -o key.tex --answer-key"))
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The file to write ('-' for standard output, Markdown or LaTeX).")
@click.option("--format", "fmt", type=click.Choice(["markdown", "latex", "pdf"]), default=None,
              help="Default: from the file's suffix (.md, .tex, .pdf).")
@click.option("--blank", "blank", is_flag=False, flag_value="all", default=None, metavar="[forward|backward|all|NAMES]",
              help="The student's version: results replaced by labelled blanks. Alone it blanks all; or name "
                   "forward, backward, or quantities such as 'h[2],dL/dz[3],W_hh_new'. Given data are never blanked.")
@click.option("--answer-key", is_flag=True, help="The solution, with the blanked quantities (--blank, default all) highlighted.")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True,
              help="The paper of a LaTeX or PDF worksheet.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT (and its figures' SVG files) if it exists.")
@click.option("--figures/--no-figures", default=True, show_default=True,
              help="Start each example with the unrolled network: drawn in LaTeX, or as NAME-example-K.svg beside "
                   "a Markdown file and linked from it.")
@trace_options
def export(scenario: str, output: str, fmt: str | None, blank: str | None, answer_key: bool, paper: str, force: bool,
           figures: bool, **options) -> None:
    """Write the worked calculation of SCENARIO as a Markdown, LaTeX or PDF worksheet."""
    fmt = fmt or ("markdown" if output == "-" else jobs.format_from_suffix(output))
    if output == "-" and fmt == "pdf":
        raise BadInput("-o -: a PDF is not written to standard output; give a file name such as -o worksheet.pdf")
    _check_output(output, force)
    job = jobs.prepare(scenario, readers="people", **options)
    answers = jobs.answers(job, blank, answer_key)
    drawn = figures and not (output == "-" and fmt == "markdown")  # no folder to put SVG files beside stdout
    pictures, sidecars = _figures(job, answers, fmt, output, force) if drawn else (None, {})
    with Watch("writing the worksheet"):
        document = jobs.document(job, answers, "markdown" if fmt == "markdown" else "latex", paper, pictures)
    if fmt == "pdf":
        from bptt_trace.pdf import PdfError, compile_pdf
        from bptt_trace.render.safe_text import visible
        try:
            with Watch("compiling the PDF (pdflatex)"):
                document = compile_pdf(document)
        except PdfError as exc:
            raise click.ClickException(visible(str(exc))) from None
    _write_output(output, document, force)
    for path, (_, svg) in sidecars.items():
        jobs.write(str(path), svg, force)
        jobs.wrote(str(path))


def _figures(job, answers, fmt: str, output: str, force: bool) -> tuple[dict | None, dict]:
    """A worksheet's figures: LaTeX pictures, or the SVG files beside a Markdown file (checked first)."""
    from bptt_trace import drawing
    from bptt_trace.output import OutputError, check_target
    if job.report:
        return None, {}
    if fmt != "markdown":
        return drawing.latex_figures(job, answers), {}
    sidecars = drawing.svg_sidecars(job, answers, output)
    try:
        for path in sidecars:
            check_target(path, force)
    except OutputError as exc:
        raise BadInput(str(exc)) from None
    return drawing.markdown_links(sidecars), sidecars


@main.command(short_help="Draw the unrolled network as a picture.", epilog=(
    "\b\nExamples:\n  bptt-trace draw sentiment -o sentiment.svg\n"
    "  bptt-trace draw sentiment -o paths.pdf --paths W_hh --phase backward"))
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The file to write: .svg, .pdf (through pdflatex), .png (pdflatex and pdftoppm) or .tex.")
@click.option("--example", "example", type=int, default=1, show_default=True, metavar="N",
              help="The example to draw (every example is traced, so totals and clipping are the whole run's).")
@click.option("--phase", type=click.Choice(["forward", "backward", "both"]), default="both", show_default=True,
              help="The forward values, the backward δ's, or both.")
@click.option("--blank", is_flag=True, help="Leave every computed value blank (given data stay): a diagram for "
              "students to fill in.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@click.option("--round", "round_", callback=_round_option, metavar="K|off", default=None,
              help="Draw a hand calculation rounded to K decimals (as run --round).")
@click.option("--round-mode", type=click.Choice(["round", "truncate"]), default=None, help="With --round.")
@click.option("--exact", is_flag=True, help="Exact arithmetic (values shown as decimals).")
@click.option("--decimals", type=click.IntRange(0, 15), default=None, help="Decimals shown (default 3).")
@click.option("--notation", type=click.Choice(PRESET_NAMES), default=None, help="Names to show, as for run.")
@click.option("--paths", "paths", metavar="PARAM", default=None,
              help="Highlight each chain-rule path from the loss to PARAM (W_hh, W_xh, b_h or one entry), with its value.")
@click.option("--full", is_flag=True, help="Draw every time step and every entry (default: long ones elided with …).")
def draw(scenario: str, output: str, example: int, phase: str, blank: bool, force: bool, **options) -> None:
    """Draw the unrolled network of one example of SCENARIO: values forward, δ's backward."""
    from bptt_trace import drawing
    fmt = drawing.draw_format(output)
    _check_output(output, force)
    job = jobs.prepare(scenario, readers="people", **options)  # every example, so that clipping is that of the whole run
    jobs.chosen_examples(job.trace.scenario, example)
    if fmt in ("pdf", "png"):
        from bptt_trace.pdf import PdfError
        try:
            content = drawing.render(job, example, fmt, phase, blank)
        except PdfError as exc:
            from bptt_trace.render.safe_text import visible
            raise click.ClickException(visible(str(exc))) from None
    else:
        content = drawing.render(job, example, fmt, phase, blank)
    _write_output(output, content, force)


@main.command(short_help="Write a blank answers file to fill in.")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The answers file to write ('-' for standard output).")
@click.option("--blank", "blank", default="all", show_default=True, metavar="forward|backward|all|NAMES",
              help="Which quantities the student answers, as for export --blank.")
@click.option("--example", "example", type=int, default=None, metavar="N", help="Only example N (from 1).")
@click.option("--notation", type=click.Choice(PRESET_NAMES), default=None,
              help="Write the names in this notation (default: the scenario's notation, else canonical).")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@BUDGET_OPTION
def template(scenario: str, output: str, blank: str, example: int | None, notation: str | None, force: bool,
             budget: str | None) -> None:
    """Write a blank answers file for SCENARIO: every chosen quantity under its canonical name."""
    from bptt_trace.marking.blanks import select
    from bptt_trace.marking.template import answers_template
    _check_output(output, force)
    job = jobs.prepare(scenario, example=example, notation=notation, budget=budget)
    try:
        names = select(job.trace, blank)
    except ValueError as exc:
        raise BadInput(f"--blank: {exc}") from None
    _write_output(output, answers_template(job.trace, job.chosen, names, scenario, job.mode.notation), force)


@main.command(short_help="Mark homework answers against a scenario.", epilog=(
    "\b\nExamples:\n  bptt-trace template sentiment -o answers.yaml --blank forward\n"
    "  bptt-trace check sentiment answers.yaml\n  bptt-trace check sentiment class/*.yaml --csv grades.csv"))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False), metavar="SCENARIO ANSWERS...")
@click.option("--variants", "variants_dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Mark each ANSWERS file (then no SCENARIO is given) against its own variant in DIR, as written by "
                   "`bptt-trace variants`, found by the file's `variant:` id or else its `student:` id.")
@click.option("--format", "fmt", type=click.Choice(["terminal", "json", "markdown"]), default="terminal",
              show_default=True, help="How to report the marking.")
@click.option("--tolerance", default=None, metavar="abs=A|rel=R|sigfig=S|decimals=D",
              help="When a number counts as right. Default: the scenario's check.tolerance, else one unit of the "
                   "decimals asked (check.decimals, else the display decimals); fewer decimals: imprecise.")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False), default=None,
              help="Also write one row per submission to this CSV file (for a gradebook).")
@click.option("--force", is_flag=True, help="Overwrite the CSV file and feedback files if they exist.")
@click.option("--feedback", "feedback", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Also write one Markdown feedback file per student into DIR.")
@click.option("--round", "round_", callback=_round_option, metavar="K|off", default=None,
              help="Mark against a hand calculation rounded to K decimals (as run --round).")
@click.option("--round-mode", type=click.Choice(["round", "truncate"]), default=None, help="With --round.")
@click.option("--notation", type=click.Choice(PRESET_NAMES), default=None,
              help="Names in the answers and the report (default: the scenario's notation).")
@click.option("--decimals", type=click.IntRange(0, 15), default=None, help="Decimals shown for expected values.")
@click.option("--color/--no-color", default=None, help="Force colour on or off.")
@click.option("--width", type=click.IntRange(40, 1000), default=None, help="Terminal width in columns.")
@BUDGET_OPTION
@click.option("--jobs", "workers", type=click.IntRange(1, 256), default=None, metavar="N",
              help="Mark the files in N worker processes. Default: every core for a class of 200 files or more; "
                   "--jobs 1 forces one process. The results are the same either way.")
def check(files: tuple[str, ...], variants_dir: str | None, fmt: str, tolerance: str | None, csv_file: str | None,
          force: bool, feedback: str | None, round_, round_mode: str | None, notation: str | None,
          decimals: int | None, color: bool | None, width: int | None, budget: str | None, workers: int | None) -> None:
    """Mark homework ANSWERS (YAML files) against SCENARIO: scores, every mistake, and a class report.

    With --variants DIR, each file is marked against its student's own variant instead, and answers
    that fit another student's variant far better than their own are flagged.

    Exit code 0 when every sheet is fully correct, 1 when anything is wrong, imprecise, malformed
    or unreadable (or flagged as copied), 2 for bad usage or a bad scenario.
    """
    from bptt_trace import check_job
    from bptt_trace.marking.classroom import ClassReport
    if variants_dir is None and len(files) < 2:
        raise click.UsageError("give SCENARIO and at least one ANSWERS file (or --variants DIR and ANSWERS files)")
    scenario, answers = (None, files) if variants_dir is not None else (files[0], files[1:])
    from bptt_trace.output import OutputError, check_target
    if csv_file:
        try:
            check_target(csv_file, force)
        except OutputError as exc:
            raise BadInput(str(exc)) from None
    targets = check_job.feedback_paths(answers, feedback) if feedback else []
    check_job.check_feedback(targets, force)
    if variants_dir is not None:
        from pathlib import Path

        from bptt_trace.classwork import VariantMarker
        marker = VariantMarker(Path(variants_dir), tolerance, round_, round_mode, notation, decimals, budget)
        job, asked = marker.job, marker.asked
    else:
        job = jobs.prepare(scenario, round_=round_, round_mode=round_mode, decimals=decimals, notation=notation,
                           budget=budget)
        checker, spec, asked = check_job.checker_for(job, tolerance)
    view = _check_view(job, asked)
    # What is kept of each sheet: the full report only where it is shown; else a brief one (streamed JSON).
    keep = "full" if fmt == "markdown" or targets or len(answers) == 1 else "json" if fmt == "json" else "brief"
    finish = check_job.finisher(keep, view)
    marked = marker.mark_all(answers, workers, finish) if variants_dir is not None else \
        check_job.mark_all(checker, spec, answers, workers, finish)
    klass, sheets = ClassReport(), []
    if keep == "json":
        from bptt_trace.render import check_view
        click.echo(check_view.json_head(job.trace.scenario.name), nl=False)
    # JSON streamed to a terminal would be torn by a bar drawn on the same screen
    with Watch("marking", len(answers), quiet=keep == "json" and sys.stdout.isatty()) as watch:
        for i, sheet in enumerate(marked):  # one sheet marked, in file order
            watch.update(i + 1)
            klass.add(sheet.student, sheet.report)
            if keep == "json":
                text = sheet.report.json if sheet.report is not None else check_view.sheet_json_text(sheet, view)
                click.echo(check_view.json_item(i, text), nl=False)
            if keep != "full" and sheet.report is not None:  # counted: keep only what the table and the CSV read
                sheet = sheet._replace(report=sheet.report._replace(json="", share=None))
            sheets.append(sheet)
            if sheet.report is None:
                with watch.paused():
                    BadInput(sheet.problem).show()
            if targets:
                check_job.write_feedback(sheet, view, targets[i], force, f"feedback for {sheet.student}")
    if keep == "json":
        click.echo(check_view.json_tail(klass, bool(sheets)), nl=False)
    else:
        _print_reports(job, view, sheets, klass, fmt, color, width)
    if fmt != "json":
        from bptt_trace.render.safe_text import visible
        for s in sheets:
            if s.copied:
                click.echo(f"copying? {visible(s.copied)}")
    if csv_file:
        from bptt_trace.render.check_view import report_csv
        jobs.write(csv_file, report_csv(sheets), force)
    if any(s.report is None or s.report.has_wrong or s.copied for s in sheets):
        sys.exit(1)


@main.command(short_help="Show how the gradient flows back through time.")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--example", "example", type=int, default=None, metavar="N", help="The example to follow (default 1).")
@click.option("--format", "fmt", type=click.Choice(["terminal", "json"]), default="terminal", show_default=True,
              help="terminal: table, chart and reading; json: every norm.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Also draw ‖dL/dh_t‖ and the Jacobian products against t as an SVG file ('-': only the SVG, "
                   "to standard output).")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@click.option("--full", is_flag=True, help="Show every time step in the table.")
@click.option("--color/--no-color", default=None, help="Force colour on or off.")
@click.option("--width", type=click.IntRange(40, 1000), default=None, help="Terminal width in columns.")
@BUDGET_OPTION
def gradients(scenario: str, example: int | None, fmt: str, output: str | None, force: bool, full: bool,
              color: bool | None, width: int | None, budget: str | None) -> None:
    """Show how the gradient of SCENARIO flows back through time: vanishing, exploding or stable."""
    from bptt_trace.analysis.gradient_flow import gradient_flows
    from bptt_trace.output import OutputError, check_target
    from bptt_trace.render.gradflow_view import GradientFlowSheet, flow_json, flow_svg
    if output:
        _check_output(output, force)
    job = jobs.prepare(scenario, example=example or 1, round_="off", budget=budget)
    try:
        flows = gradient_flows(job.trace, job.chosen[0])
    except ValueError as exc:
        raise BadInput(f"{scenario}: {exc}") from None
    if output:
        _write_output(output, flow_svg(flows, job.trace.scenario.name), force)
        if output == "-":
            return
    if fmt == "json":
        click.echo(flow_json(flows), nl=False)
        return
    sheet = GradientFlowSheet(max_items=10**9 if full else 12)
    blocks = (b for flow in flows for b in sheet.build_flow(flow, job.trace.scenario.name, chosen_width(width)))
    print_lines(blocks, color, width)


@main.command(short_help="Train for several epochs: losses, chart, result.")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--epochs", type=click.IntRange(1, 1_000_000), default=None, help="Default: the scenario's training.epochs.")
@click.option("--update", type=click.Choice(UPDATES), default=None,
              help="One update per epoch from the summed gradients, or one per example in order "
                   "(default: the scenario's training.update, else batch).")
@click.option("--trace-epoch", type=click.IntRange(1, 1_000_000), default=1, show_default=True,
              help="The epoch whose full worked calculation is shown.")
@click.option("--save", type=click.Path(dir_okay=False), default=None,
              help="Write the scenario with the trained parameters to this YAML file, to continue from.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Also draw the loss per epoch as an SVG file.")
@click.option("--force", is_flag=True, help="Overwrite the --save or --output file if it exists.")
@click.option("--format", "fmt", type=click.Choice(["terminal", "json"]), default="terminal", show_default=True)
@click.option("--full", is_flag=True, help="Show every entry and every epoch.")
@click.option("--color/--no-color", default=None, help="Force colour on or off.")
@click.option("--width", type=click.IntRange(40, 1000), default=None, help="Terminal width in columns.")
@BUDGET_OPTION
def train(scenario: str, epochs: int | None, update: str | None, trace_epoch: int, save: str | None,
          output: str | None, force: bool, fmt: str, full: bool, color: bool | None, width: int | None,
          budget: str | None) -> None:
    """Train SCENARIO for several epochs: one epoch worked in full, then the loss per epoch and the result."""
    from bptt_trace.errors import ArithmeticFault
    from bptt_trace.output import OutputError, check_target
    from bptt_trace.render.training_view import TrainingSheet, training_json, training_svg
    from bptt_trace.scenario.writer import dump_scenario
    from bptt_trace.analysis.training import train as run_training
    for target in (t for t in (save, output) if t):
        try:
            check_target(target, force)
        except OutputError as exc:
            raise BadInput(str(exc)) from None
    sc = jobs.load(scenario)
    epochs, update = epochs or sc.epochs, update or sc.update
    if trace_epoch > epochs:
        raise BadInput(f"--trace-epoch must be at most the number of epochs ({epochs}), got {trace_epoch}")
    from bptt_trace.analysis.budget import training_cost
    jobs.within_budget(scenario, training_cost(sc, epochs), budget)
    try:
        with Watch("training", epochs, color=color) as watch:
            result = run_training(sc, epochs, update, trace_epoch, watch.update)
    except ArithmeticFault as exc:
        _print_diverged(exc, fmt, color, width)
        raise BadInput(f"{scenario}: {exc}") from None
    if save:
        note = f"{sc.name} after {epochs} epochs of training ({update} updates) with bptt-trace"
        jobs.write(save, dump_scenario(sc, result.parameters, note), force)
    if output:
        jobs.write(output, training_svg(result, sc.name), force)
        jobs.wrote(output)
    if fmt == "json":
        click.echo(training_json(result), nl=False)
        return
    sheet = TrainingSheet(max_items=10**9 if full else 8)
    print_lines(sheet.build_training(result, update, chosen_width(width)), color, width)


def _print_diverged(exc, fmt: str, color: bool | None, width: int | None) -> None:
    """The losses a diverged training run computed before the epoch that failed."""
    from bptt_trace.render.training_view import TrainingSheet, diverged_json
    if getattr(exc, "epoch", None) is None:
        return
    if fmt == "json":
        click.echo(diverged_json(exc.epoch, exc.epoch_losses), nl=False)
    else:
        print_lines(TrainingSheet().build_diverged(exc.epoch, exc.epoch_losses), color, width)


@main.command(short_help="Give every student their own numbers, sheet and key.", epilog=(
    "\b\nExamples:\n  bptt-trace variants sentiment --roster class.csv --seed 2026 -o homework/\n"
    "  bptt-trace check --variants homework/ submissions/*.yaml --csv grades.csv"))
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--roster", type=click.Path(dir_okay=False), default=None,
              help="A CSV file with a header and one row per student: an id column (id, student_id or student) "
                   "and a name column.")
@click.option("--count", type=click.IntRange(1, 100_000), default=None, help="Instead of a roster: N students s001, s002, …")
@click.option("--seed", required=True, help="The teacher's seed: the same seed, roster and scenario give the same "
              "variants. Keep it to yourself: with it, variant ids can be recomputed.")
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False), help="The folder to write.")
@click.option("--pdf/--no-pdf", default=True, show_default=True, help="Also compile each blank worksheet to PDF.")
@click.option("--force", is_flag=True, help="Write into a folder that is not empty, over the files it holds.")
def variants(scenario: str, roster: str | None, count: int | None, seed: str, out: str, pdf: bool, force: bool) -> None:
    """Give every student their own numbers: a variant of SCENARIO each, with sheet, template and key."""
    from pathlib import Path

    from bptt_trace.errors import InputError
    from bptt_trace.classwork import make_handout
    from bptt_trace.marking.roster import numbered, read_roster
    if (roster is None) == (count is None):
        raise BadInput("give either --roster ROSTER.csv or --count N")
    try:
        students = read_roster(roster) if roster else numbered(count)
    except InputError as exc:
        raise BadInput(exc.describe()) from None
    with Watch("variants", len(students)) as watch:
        done = make_handout(scenario, students, seed, Path(out), force, pdf, watch.advance)
    why = ", ".join(f"{k} {n}" for k, n in sorted(done.reasons.items(), key=lambda kv: -kv[1]))
    from bptt_trace.render.safe_text import visible
    click.echo(f"wrote {len(done.rows)} variants to {visible(out)} (index.csv; answer keys in "
               f"{visible(str(Path(out) / 'keys'))}); {done.rejected} draws turned down" + (f": {why}" if why else ""),
               err=True)


@main.group(invoke_without_command=True, short_help="List the bundled scenarios, or copy one to edit.")
@click.pass_context
def scenarios(ctx: click.Context) -> None:
    """List the bundled scenarios, or copy one to edit."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_scenarios)


@scenarios.command("list")
def list_scenarios() -> None:
    """List the bundled scenarios, one line each: the name to give run, export, … and what it shows."""
    from bptt_trace.scenario.bundled import descriptions
    rows = descriptions()
    wide = max(len(name) for name, _ in rows)
    for name, text in rows:
        click.echo(f"{name:<{wide}}  {text}")


@scenarios.command("copy")
@click.argument("name")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite DIRECTORY/NAME.yaml if it exists.")
def copy_scenario(name: str, directory: str, force: bool) -> None:
    """Copy the bundled scenario NAME into DIRECTORY (default: here) as NAME.yaml, to edit."""
    from bptt_trace.errors import InputError
    from bptt_trace.output import OutputError
    from bptt_trace.scenario.bundled import copy_bundled
    try:
        path = copy_bundled(name, directory, force)
    except (InputError, OutputError) as exc:
        raise BadInput(exc.describe() if isinstance(exc, InputError) else str(exc)) from None
    jobs.wrote(str(path))


def _check_output(output: str, force: bool) -> None:
    """Refuse, before any work, an output file that cannot be written (`-` is standard output)."""
    from bptt_trace.output import OutputError, check_target
    if output == "-":
        return
    try:
        check_target(output, force)
    except OutputError as exc:
        raise BadInput(str(exc)) from None


def _write_output(output: str, text: str | bytes, force: bool) -> None:
    """Write text to the file atomically and say so on stderr, or to standard output for `-`."""
    if output == "-":
        click.echo(text, nl=False)
        return
    jobs.write(output, text, force)
    jobs.wrote(output)


def _check_view(job, asked: int | None):
    """The report's worksheet: the job's number format and notation."""
    from bptt_trace.render.check_view import CheckWorksheet
    from bptt_trace.render.labels import Labels
    from bptt_trace.render.numfmt import NumberFormat
    view = CheckWorksheet(NumberFormat(job.mode.decimals, job.mode.digits), labels=Labels(job.mode.notation))
    view.asked = asked
    return view


def _print_reports(job, view, sheets: list, klass, fmt: str, color: bool | None, width: int | None) -> None:
    """One report in full (every report in Markdown), then a row per submission and the class report."""
    from bptt_trace.render.check_view import batch_blocks, report_json
    from bptt_trace.render.class_view import class_blocks
    if fmt == "json":
        click.echo(report_json(sheets, view, klass, job.trace.scenario.name), nl=False)
        return

    def blocks():
        if len(sheets) == 1 or fmt == "markdown":
            for s in sheets:
                if s.report is not None:
                    yield from view.build_report(s.report, s)
        if len(sheets) > 1 or any(s.report is None for s in sheets):
            yield from batch_blocks(sheets, view.label)
        if len(sheets) > 1:
            yield from class_blocks(klass, view.label)
    if fmt == "markdown":
        from bptt_trace.render.documents import MarkdownWriter
        click.echo(MarkdownWriter().write(blocks(), f"marking for {job.trace.scenario.name}"), nl=False)
        return
    print_lines(blocks(), color, width)


def _print_terminal(job: Job, color: bool | None, width: int | None) -> None:
    """The worked calculation (or paths) of a job on the terminal."""
    print_lines(jobs.blocks(job, tagged=False), color, width)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
