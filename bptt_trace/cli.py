"""The command line: parse options, load, run, pick a renderer, print, map errors to exit codes.

The only module that prints or exits. Heavy modules are imported inside the commands that use them.
"""

from __future__ import annotations

import sys

import click

from bptt_trace.version import __version__
from bptt_trace import jobs
from bptt_trace.jobs import EXIT_BAD_INPUT, BadInput, Job
from bptt_trace.printing import print_lines, progress
from bptt_trace.scenario.spec import UPDATES

PRESET_NAMES = ("default", "wi-wh-wo", "uvw")  # bptt_trace.scenario.notation.PRESETS, kept import-free here


def _round_option(ctx, param, value: str | None) -> int | str | None:
    if value is None or value == "off":
        return value
    if value.isdigit() and 0 <= int(value) <= 12:
        return int(value)
    raise click.BadParameter("expected a whole number of decimals from 0 to 12, or 'off'")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="bptt-trace")
def main() -> None:
    """Worked hand calculations of neural-network training (RNN, LSTM, GRU, bidirectional RNN, MLP):
    forward pass, backpropagation (through time) and the update, step by step."""


def trace_options(f):
    """The options that choose what is traced and how numbers are computed and shown."""
    options = [
        click.option("--example", "example", type=int, default=None, metavar="N",
                     help="Trace only example N (from 1); totals and the update then use it alone."),
        click.option("--round", "round_", callback=_round_option, metavar="K|off", default=None,
                     help="Hand calculation: round every written result to K decimals before it is used again "
                          "(decimal arithmetic); 'off' for full precision. Default: the scenario's display.round, else off."),
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
                          "is W_hh, W_xh or b_h, or one entry such as 'W_hh[1,2]' (from 1). Computed in float64."),
        click.option("--full", is_flag=True, help="Show every row and column of large vectors and matrices."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@main.command()
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
    job = jobs.prepare(scenario, **options)
    if fmt == "json":
        jobs.write_json(job, sys.stdout, indent, only)
        return
    _print_terminal(job, color, width)


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The file to write.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "latex", "pdf"]), default=None,
              help="Default: from the file's suffix (.md, .tex, .pdf).")
@click.option("--blank", "blank", is_flag=False, flag_value="all", default=None, metavar="[forward|backward|all|NAMES]",
              help="The student's version: results replaced by labelled blanks. Alone it blanks all; or name "
                   "forward, backward, or quantities such as 'h[2],dL/dz[3],W_hh_new'. Given data are never blanked.")
@click.option("--answer-key", is_flag=True, help="The solution, with the blanked quantities (--blank, default all) highlighted.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@trace_options
def export(scenario: str, output: str, fmt: str | None, blank: str | None, answer_key: bool, force: bool,
           **options) -> None:
    """Write the worked calculation of SCENARIO as a Markdown, LaTeX or PDF worksheet."""
    from bptt_trace.output import OutputError, check_target, write_atomic
    fmt = fmt or jobs.format_from_suffix(output)
    try:
        check_target(output, force)
    except OutputError as exc:
        raise BadInput(str(exc)) from None
    job = jobs.prepare(scenario, **options)
    answers = jobs.answers(job, blank, answer_key)
    document = jobs.document(job, answers, "markdown" if fmt == "markdown" else "latex")
    if fmt == "pdf":
        from bptt_trace.pdf import PdfError, compile_pdf
        try:
            document = compile_pdf(document)
        except PdfError as exc:
            raise click.ClickException(str(exc)) from None
    try:
        write_atomic(output, document, force)
    except OutputError as exc:
        raise BadInput(str(exc)) from None
    click.echo(f"wrote {output}", err=True)


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The answers file to write.")
@click.option("--blank", "blank", default="all", show_default=True, metavar="forward|backward|all|NAMES",
              help="Which quantities the student answers, as for export --blank.")
@click.option("--example", "example", type=int, default=None, metavar="N", help="Only example N (from 1).")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def template(scenario: str, output: str, blank: str, example: int | None, force: bool) -> None:
    """Write a blank answers file for SCENARIO: every chosen quantity under its canonical name."""
    from bptt_trace.marking.blanks import select
    from bptt_trace.output import OutputError, check_target, write_atomic
    from bptt_trace.marking.template import answers_template
    try:
        check_target(output, force)
    except OutputError as exc:
        raise BadInput(str(exc)) from None
    job = jobs.prepare(scenario, example=example)
    try:
        names = select(job.trace, blank)
    except ValueError as exc:
        raise BadInput(f"--blank: {exc}") from None
    try:
        write_atomic(output, answers_template(job.trace, job.chosen, names, scenario), force)
    except OutputError as exc:
        raise BadInput(str(exc)) from None
    click.echo(f"wrote {output}", err=True)


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.argument("answers", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["terminal", "json", "markdown"]), default="terminal",
              show_default=True, help="How to report the marking.")
@click.option("--tolerance", default=None, metavar="abs=A|rel=R|sigfig=S|decimals=D",
              help="When a number counts as right. Default: the scenario's check.tolerance, else within one unit "
                   "of the last decimal written (0.310 is checked to ±0.001).")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False), default=None,
              help="Also write one row per submission to this CSV file (for a gradebook).")
@click.option("--force", is_flag=True, help="Overwrite the CSV file if it exists.")
@click.option("--round", "round_", callback=_round_option, metavar="K|off", default=None,
              help="Mark against a hand calculation rounded to K decimals (as run --round).")
@click.option("--round-mode", type=click.Choice(["round", "truncate"]), default=None, help="With --round.")
@click.option("--notation", type=click.Choice(PRESET_NAMES), default=None,
              help="Names in the answers and the report (default: the scenario's notation).")
@click.option("--decimals", type=click.IntRange(0, 15), default=None, help="Decimals shown for expected values.")
@click.option("--color/--no-color", default=None, help="Force colour on or off.")
@click.option("--width", type=click.IntRange(40, 1000), default=None, help="Terminal width in columns.")
@click.option("--jobs", "workers", type=click.IntRange(1, 256), default=1, show_default=True, metavar="N",
              help="Mark the files in N worker processes (for a large class on an otherwise idle machine).")
def check(scenario: str, answers: tuple[str, ...], fmt: str, tolerance: str | None, csv_file: str | None,
          force: bool, round_, round_mode: str | None, notation: str | None, decimals: int | None,
          color: bool | None, width: int | None, workers: int) -> None:
    """Mark homework ANSWERS (YAML files) against SCENARIO: correct, carried forward, wrong, and the first mistake.

    Exit code 0 when nothing is wrong, 1 when an answer is wrong, 2 on bad input.
    """
    from bptt_trace.marking.checker import Checker
    from bptt_trace.numbers.systems import Float64, HandDecimal
    from bptt_trace.output import OutputError, check_target, write_atomic
    from bptt_trace.numbers.tolerance import Tolerance
    if csv_file:
        try:
            check_target(csv_file, force)
        except OutputError as exc:
            raise BadInput(str(exc)) from None
    job = jobs.prepare(scenario, round_=round_, round_mode=round_mode, decimals=decimals, notation=notation)
    sc = job.trace.scenario
    try:
        tol = Tolerance.parse(tolerance or sc.display.tolerance) if (tolerance or sc.display.tolerance) else Tolerance()
    except ValueError as exc:
        raise BadInput(f"--tolerance: {exc}") from None
    numbers = HandDecimal(job.mode.round, job.mode.round_mode) if job.mode.round is not None else Float64()
    checker = Checker(job.trace, numbers, tol, job.mode.notation)
    from bptt_trace.marking.pool import mark_files
    reports, bad = [], []
    for report, problem in mark_files(checker, answers, workers):  # one process unless --jobs N
        if problem is None:
            reports.append(report)
        else:
            bad.append(problem)
            click.echo(f"bptt-trace: error: {problem}", err=True)
    _print_reports(job, reports, fmt, color, width)
    if csv_file:
        from bptt_trace.render.check_view import report_csv
        write_atomic(csv_file, report_csv(reports), force)
    if bad:
        sys.exit(EXIT_BAD_INPUT)
    if any(r.has_wrong for r in reports):
        sys.exit(1)


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--example", "example", type=int, default=None, metavar="N", help="The example to follow (default 1).")
@click.option("--format", "fmt", type=click.Choice(["terminal", "json"]), default="terminal", show_default=True,
              help="terminal: table, chart and reading; json: every norm.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Also draw ‖dL/dh_t‖ and the Jacobian products against t as an SVG file.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@click.option("--full", is_flag=True, help="Show every time step in the table.")
@click.option("--color/--no-color", default=None, help="Force colour on or off.")
@click.option("--width", type=click.IntRange(40, 1000), default=None, help="Terminal width in columns.")
def gradients(scenario: str, example: int | None, fmt: str, output: str | None, force: bool, full: bool,
              color: bool | None, width: int | None) -> None:
    """Show how the gradient of SCENARIO flows back through time: vanishing, exploding or stable."""
    from bptt_trace.analysis.gradient_flow import gradient_flows
    from bptt_trace.output import OutputError, check_target, write_atomic
    from bptt_trace.render.gradflow_view import GradientFlowSheet, flow_json, flow_svg
    if output:
        try:
            check_target(output, force)
        except OutputError as exc:
            raise BadInput(str(exc)) from None
    job = jobs.prepare(scenario, example=example or 1, round_="off")
    try:
        flows = gradient_flows(job.trace, job.chosen[0])
    except ValueError as exc:
        raise BadInput(f"{scenario}: {exc}") from None
    if output:
        write_atomic(output, flow_svg(flows, job.trace.scenario.name), force)
    if fmt == "json":
        click.echo(flow_json(flows), nl=False)
        return
    sheet = GradientFlowSheet(max_items=10**9 if full else 12)
    blocks = (b for flow in flows for b in sheet.build_flow(flow, job.trace.scenario.name, width or 80))
    print_lines(blocks, color, width)


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--epochs", type=click.IntRange(1, 1_000_000), default=None, help="Default: the scenario's training.epochs.")
@click.option("--update", type=click.Choice(UPDATES), default=None,
              help="One update per epoch from the summed gradients, or one per example in order "
                   "(default: the scenario's training.update, else batch).")
@click.option("--trace-epoch", type=click.IntRange(1, 1_000_000), default=1, show_default=True,
              help="The epoch whose full worked calculation is shown.")
@click.option("--save", type=click.Path(dir_okay=False), default=None,
              help="Write the scenario with the trained parameters to this YAML file, to continue from.")
@click.option("--force", is_flag=True, help="Overwrite the --save file if it exists.")
@click.option("--format", "fmt", type=click.Choice(["terminal", "json"]), default="terminal", show_default=True)
@click.option("--full", is_flag=True, help="Show every entry and every epoch.")
@click.option("--color/--no-color", default=None, help="Force colour on or off.")
@click.option("--width", type=click.IntRange(40, 1000), default=None, help="Terminal width in columns.")
def train(scenario: str, epochs: int | None, update: str | None, trace_epoch: int, save: str | None, force: bool,
          fmt: str, full: bool, color: bool | None, width: int | None) -> None:
    """Train SCENARIO for several epochs: one epoch worked in full, then the loss per epoch and the result."""
    from bptt_trace.errors import ArithmeticFault
    from bptt_trace.output import OutputError, check_target, write_atomic
    from bptt_trace.render.training_view import TrainingSheet, training_json
    from bptt_trace.scenario.writer import dump_scenario
    from bptt_trace.analysis.training import train as run_training
    if save:
        try:
            check_target(save, force)
        except OutputError as exc:
            raise BadInput(str(exc)) from None
    sc = jobs.load(scenario)
    epochs, update = epochs or sc.epochs, update or sc.update
    if trace_epoch > epochs:
        raise BadInput(f"--trace-epoch must be at most the number of epochs ({epochs}), got {trace_epoch}")
    try:
        with progress(epochs) as advance:
            result = run_training(sc, epochs, update, trace_epoch, advance)
    except ArithmeticFault as exc:
        raise BadInput(f"{scenario}: {exc}") from None
    if save:
        note = f"{sc.name} after {epochs} epochs of training ({update} updates) with bptt-trace"
        write_atomic(save, dump_scenario(sc, result.parameters, note), force)
    if fmt == "json":
        click.echo(training_json(result), nl=False)
        return
    sheet = TrainingSheet(max_items=10**9 if full else 8)
    print_lines(sheet.build_training(result, update, width or 80), color, width)


def _print_reports(job, reports: list, fmt: str, color: bool | None, width: int | None) -> None:
    """One report in full, or a summary row per submission when there are several."""
    from bptt_trace.render.check_view import CheckWorksheet, batch_blocks, report_json
    from bptt_trace.render.labels import Labels
    from bptt_trace.render.numfmt import NumberFormat
    if not reports:
        return
    sheet = CheckWorksheet(NumberFormat(job.mode.decimals, job.mode.digits), labels=Labels(job.mode.notation))
    if fmt == "json":
        click.echo(report_json(reports, sheet), nl=False)
        return

    def blocks():
        if len(reports) == 1 or fmt == "markdown":
            for r in reports:
                yield from sheet.build_report(r)
        if len(reports) > 1:
            yield from batch_blocks(reports)
    if fmt == "markdown":
        from bptt_trace.render.documents import MarkdownWriter
        click.echo(MarkdownWriter().write(blocks(), f"marking for {job.trace.scenario.name}"), nl=False)
        return
    print_lines(blocks(), color, width)


def _print_terminal(job: Job, color: bool | None, width: int | None) -> None:
    """The worked calculation (or paths) of a job on the terminal."""
    print_lines(jobs.blocks(job), color, width)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
