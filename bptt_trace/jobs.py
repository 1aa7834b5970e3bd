"""The commands' shared wiring: load a scenario, choose the number system, trace, and build blocks.

Part of the command line: errors are raised as BadInput (exit code 2).
"""

from __future__ import annotations

from typing import NamedTuple


import click

EXIT_BAD_INPUT = 2
LONG_WORK_SECONDS = 10  # estimated work above this is announced on stderr before it starts


class BadInput(click.ClickException):
    """A user's file or option is wrong: one message, exit code 2."""

    exit_code = EXIT_BAD_INPUT

    def show(self, file=None) -> None:
        from bptt_trace.render.safe_text import visible
        click.echo(f"bptt-trace: error: {visible(self.format_message())}", err=True)


def wrote(path: str) -> None:
    """Tell (on stderr) which file a command wrote."""
    from bptt_trace.render.safe_text import visible
    click.echo(f"wrote {visible(path)}", err=True)


def write(path: str, data: str | bytes, force: bool) -> None:
    """Write an output file atomically, or BadInput saying why it cannot be (the old file stays as it was)."""
    from bptt_trace.output import OutputError, write_atomic
    try:
        write_atomic(path, data, force)
    except OutputError as exc:
        raise BadInput(str(exc)) from None


def warn(message: str) -> None:
    """A warning on stderr: the command goes on."""
    click.echo(f"bptt-trace: warning: {message}", err=True)


class Mode(NamedTuple):
    """How to compute and show: the number system's settings and the display's."""

    round: int | None
    round_mode: str
    exact: bool
    digits: int
    decimals: int
    notation: object


def load(path: str):
    """The validated scenario, or BadInput naming the file, key and line."""
    from bptt_trace.errors import InputError
    from bptt_trace.scenario.loader import load_scenario
    try:
        return load_scenario(path)
    except InputError as exc:
        raise BadInput(exc.describe()) from None


class Job(NamedTuple):
    """Everything one command computed: the mode, the examples, the trace, drift or path report."""

    mode: Mode
    chosen: list[int]
    trace: object
    drift: list | None = None
    report: object = None
    full: bool = False
    steps: object = None  # the time steps shown in full (a StepChoice), None for every one


def prepare(scenario: str, example: int | None = None, round_=None, round_mode: str | None = None,
             exact: bool = False, digits: int | None = None, decimals: int | None = None,
             notation: str | None = None, paths: str | None = None, full: bool = False,
             budget: str | None = None, listing: bool = False, readers: str = "programs",
             steps: str | None = None) -> Job:
    """Load, choose the number system, trace; the drift for a hand calculation; the paths if asked.

    The work is estimated first and refused (BadInput) when over the budget; `listing` is for output
    that shows every entry (JSON). `readers` is "people" (a hand calculation at the display decimals
    unless `--round off`) or "programs" (full precision unless `--round K`). `steps` chooses the time steps
    shown in full (`3,7-9`; "auto" elides a long sequence's middle unless `full`; None shows every one)."""
    sc = load(scenario)
    chosen = step_choice(sc, scenario, example, steps, full, paths)
    return prepare_loaded(sc, scenario, example, round_, round_mode, exact, digits, decimals,
                          notation, paths, full, budget, listing, readers)._replace(steps=chosen)


def step_choice(sc, path: str, example: int | None, steps: str | None, full: bool, paths: str | None):
    """The time steps to show in full (a StepChoice), or None for every one; BadInput for a bad --steps."""
    from bptt_trace.render.step_choice import StepChoice, parse_steps
    if steps is None or (steps == "auto" and (full or paths is not None)):
        return None
    if steps == "auto":
        return StepChoice()
    if paths is not None:
        raise BadInput("--steps chooses the time steps of the worked calculation; --paths prints one report: "
                       "use one or the other")
    if sc.model.cell == "mlp":
        raise BadInput(f"--steps: {path} is a feedforward network (cell: mlp), which has layers, not time steps")
    longest = max(sc.examples[k - 1].steps for k in chosen_examples(sc, example))
    try:
        return parse_steps(steps, longest)
    except ValueError as exc:
        raise BadInput(f"--steps: {exc}") from None


def prepare_loaded(sc, scenario: str, example: int | None = None, round_=None, round_mode: str | None = None,
                   exact: bool = False, digits: int | None = None, decimals: int | None = None,
                   notation=None, paths: str | None = None, full: bool = False,
                   budget: str | None = None, listing: bool = False, readers: str = "programs") -> Job:
    """As prepare, for a scenario already loaded (`scenario` names it in messages)."""
    mode = choose_mode(sc, round_, round_mode, exact, digits, decimals, notation, readers)
    chosen = chosen_examples(sc, example)
    if paths is not None:
        return path_job(sc, scenario, paths, mode, chosen, full, budget, listing)
    from bptt_trace.analysis.budget import BASE_SECONDS, trace_cost
    system = "exact" if mode.exact else "hand" if mode.round is not None else "float"
    estimate = trace_cost(sc, chosen, system, full or listing, mode.round, json=listing)
    long = within_budget(scenario, estimate, budget)
    trace, full_values = trace_in(sc, scenario, mode, chosen, long, estimate.seconds - BASE_SECONDS)
    drift_rows = None
    if full_values is not None:
        from bptt_trace.analysis.drift import drift
        drift_rows = drift(trace, full_values, chosen)
    return Job(mode, chosen, trace, drift_rows, None, full)


def within_budget(path: str, estimate, budget: str | None) -> bool:
    """Refuse work whose estimate exceeds the budget (--budget); announce long work on stderr, and say
    whether it was long."""
    from bptt_trace.analysis.budget import Budget, OverBudget, check, describe
    try:
        limits = Budget.parse(budget)
    except ValueError as exc:
        raise BadInput(f"--budget: {exc}") from None
    try:
        check(estimate, limits)
    except OverBudget as exc:
        raise BadInput(f"{path}: {exc}") from None
    if estimate.seconds > LONG_WORK_SECONDS:
        from bptt_trace.render.safe_text import visible
        click.echo(f"bptt-trace: {visible(path)}: {describe(estimate)}; working…", err=True)
    return estimate.seconds > LONG_WORK_SECONDS


def for_model(spec, model):
    """A notation as it applies to a model: its names for W_xh, W_hh and b_h are the vanilla RNN's,
    so other networks keep only its shared symbols (x, h, o, ŷ, W_hy, …)."""
    if spec is None or (model.cell == "rnn" and not model.bidirectional):
        return spec
    from bptt_trace.scenario.notation import PRESETS, RNN_ONLY
    chosen = PRESETS[spec] if isinstance(spec, str) else spec
    return {k: v for k, v in chosen.items() if k not in RNN_ONLY}


def choose_mode(sc, round_, round_mode, exact, digits, decimals, notation, readers: str = "programs") -> Mode:
    """Command-line options first, then the scenario's `display:` and `notation:`, then defaults: what
    people read is a hand calculation at the display decimals, what programs read is full precision."""
    if exact and isinstance(round_, int):
        raise BadInput("--exact and --round cannot be used together: choose exact or hand-rounded arithmetic")
    d = sc.display
    shown = decimals if decimals is not None else d.decimals
    asked = round_ if round_ is not None else d.round
    if asked is None and readers == "people":
        asked = shown if shown is not None else 3
    places = None if exact or asked == "off" else asked
    if round_mode is not None and places is None:
        warn("--round-mode has no effect without --round K (or display.round in the scenario)")
    if digits is not None and not exact:
        warn("--digits has no effect without --exact")
    return Mode(round=places, round_mode=round_mode or d.round_mode, exact=exact, digits=digits or d.digits or 6,
                decimals=shown if shown is not None else (places if places is not None else 3),
                notation=for_model(notation or d.notation, sc.model))


def chosen_examples(sc, example: int | None) -> list[int]:
    """The examples to trace: all, or the one --example names."""
    if example is not None and not 1 <= example <= len(sc.examples):
        raise BadInput(f"--example must be from 1 to {len(sc.examples)} (the scenario has "
                       f"{len(sc.examples)} examples), got {example}")
    return [example] if example else list(range(1, len(sc.examples) + 1))


def trace_in(sc, path: str, mode: Mode, chosen: list[int], long: bool = False, work_seconds: float = 0.0):
    """The trace in the chosen number system, and for a hand calculation the final results of its float64
    twin, for the drift (computed beside it in a second process when the work, `work_seconds` estimated,
    is long); progress is shown on stderr while they run (`long`: announced as long, so shown in a log)."""
    from bptt_trace.errors import ArithmeticFault
    from bptt_trace.numbers.systems import HandDecimal
    try:
        if mode.exact:
            from bptt_trace.numbers.exact import Exact
            from bptt_trace.scenario.notation import free_prefix
            return watched_run(sc, chosen, Exact(mode.digits, free_prefix(mode.notation)), "exact trace", long), None
        if mode.round is not None:
            from bptt_trace.twin import apart_wanted, twin_values
            here = lambda: watched_run(sc, chosen, None, "full precision, for the drift", long)  # noqa: E731
            with twin_values(sc, chosen, apart_wanted(work_seconds), here) as twin:
                hand = watched_run(sc, chosen, HandDecimal(mode.round, mode.round_mode), "hand calculation", long)
                return hand, twin()
        return watched_run(sc, chosen, None, "tracing", long), None
    except ArithmeticFault as exc:
        raise BadInput(f"{path}: {exc}") from None


def watched_run(sc, chosen: list[int], numbers, what: str, long: bool):
    """One run of the engine, its progress on stderr."""
    from bptt_trace.networks.run import run
    from bptt_trace.watching import watch_run
    watch, seen = watch_run(sc, chosen, what, long)
    with watch:
        return run(sc, numbers, chosen, watch=seen.attach)


def path_job(sc, path: str, target: str, mode: Mode, chosen: list[int], full: bool, budget: str | None = None,
             listing: bool = False) -> Job:
    """The chain-rule paths of one parameter (or entry), from a float64 trace."""
    from bptt_trace.analysis.paths import chain_paths, parse_target
    if sc.model.cell != "rnn" or sc.model.bidirectional:
        raise BadInput(f"--paths: the chain-rule paths are written for the one-directional vanilla RNN "
                       f"(cell: rnn); {path} is {'a bidirectional rnn' if sc.model.bidirectional else 'an ' + sc.model.cell}")
    shapes = {name: tuple(len(x) for x in (value, value[0]) if isinstance(x, tuple))
              for name, value in sc.parameters.items()}
    from bptt_trace.scenario.notation import parameter_aliases
    try:
        param, entry = parse_target(target, shapes, parameter_aliases(mode.notation))
    except ValueError as exc:
        raise BadInput(f"--paths: {exc}") from None
    from bptt_trace.analysis.budget import paths_cost
    long = within_budget(path, paths_cost(sc, chosen, param, entry, full or listing), budget)
    trace, _ = trace_in(sc, path, Mode(None, "round", False, mode.digits, mode.decimals, mode.notation), chosen, long)
    from bptt_trace.watching import Watch
    with Watch(f"chain-rule paths of {target}", lines=long, count=False) as watch:
        report = chain_paths(trace, param, entry, chosen, watch.update)
    return Job(mode, chosen, trace, None, report, full)


def format_from_suffix(output: str) -> str:
    """markdown, latex or pdf, from the output file's suffix."""
    suffix = output.rsplit(".", 1)[-1].lower() if "." in output else ""
    formats = {"md": "markdown", "markdown": "markdown", "tex": "latex", "pdf": "pdf"}
    if suffix not in formats:
        raise BadInput(f"{output}: cannot tell the format from the suffix; use .md, .tex or .pdf, or --format")
    return formats[suffix]


def answers(job: Job, blank: str | None, answer_key: bool):
    """What the writer blanks or highlights."""
    from bptt_trace.marking.blanks import select
    from bptt_trace.render.blocks import Answers
    if blank is None and not answer_key:
        return Answers()
    try:
        names = select(job.trace, blank or "all")
    except ValueError as exc:
        raise BadInput(f"--blank: {exc}") from None
    return Answers(names, "key" if answer_key else "blank")


def blocks(job: Job, figures: bool = False, student: bool = False, tagged: bool = True):
    """The worksheet blocks of a job: the trace (with a figure block per example), or the chain-rule paths;
    `student` for a blank sheet; `tagged` off for a writer that blanks and marks nothing (the terminal's)."""
    from bptt_trace.render.labels import Labels
    from bptt_trace.render.numfmt import NumberFormat
    from bptt_trace.render.worksheet import Worksheet
    kind = Worksheet
    if job.report:
        from bptt_trace.render.paths_view import PathsWorksheet as kind
    sheet = kind(NumberFormat(job.mode.decimals, job.mode.digits), max_items=10**9 if job.full else 8,
                           labels=Labels(job.mode.notation))
    sheet.figures = figures
    sheet.student = student
    sheet.tagged = tagged
    sheet.steps = job.steps
    return sheet.build_paths(job.report, job.trace) if job.report else sheet.build(job.trace, job.chosen, job.drift)


def document(job: Job, answers, fmt: str, paper: str = "a4", figures: dict[int, str] | None = None) -> str:
    """The worksheet of a job as Markdown or LaTeX text (on A4 or letter paper); `figures` ready-made for the
    format, by example."""
    from bptt_trace.render.documents import LatexWriter, MarkdownWriter
    writer = MarkdownWriter(answers, figures) if fmt == "markdown" else LatexWriter(answers, figures, paper)
    return writer.write(blocks(job, bool(figures), answers.mode == "blank"), job.trace.scenario.name)


def write_json(job: Job, out, indent: int | None, only: str | None) -> None:
    """`run --format json`: the trace (or the paths) as JSON written to `out` as it is made; `--only` checked first."""
    from bptt_trace.render.json_out import render_paths_json, write_json as write
    from bptt_trace.render.json_stream import NameFilter
    if job.report:
        if only is not None:
            raise BadInput("--only picks quantities of a trace; --paths prints one report: use one or the other")
        out.write(render_paths_json(job.report, indent))
        return
    keep = NameFilter(only)
    if only is not None:
        from bptt_trace.record.names import is_reported
        names = {s.name for s in job.trace.steps if is_reported(s.name)} | {p for p in job.trace.scenario.parameter_names}
        missing = keep.unmatched(sorted(names))
        if missing or not keep.patterns:
            raise BadInput(f"--only: {', '.join(repr(p) for p in missing) or 'no names given'} matches no quantity "
                           "of this scenario; give canonical names such as 'h[*],dL/dW_*' (see the README)")
    write(out, job.trace, job.chosen, job.drift, indent, keep)
