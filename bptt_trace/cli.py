"""The command line: parse options, load, run, pick a renderer, print, map errors to exit codes.

The only module that prints or exits. Heavy modules are imported inside the commands that use them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import click

from bptt_trace import __version__

EXIT_BAD_INPUT = 2
PRESET_NAMES = ("default", "wi-wh-wo", "uvw")  # bptt_trace.notation.PRESETS, kept import-free here


class BadInput(click.ClickException):
    """A user's file or option is wrong: one message, exit code 2."""

    exit_code = EXIT_BAD_INPUT

    def show(self, file=None) -> None:
        click.echo(f"bptt-trace: error: {self.format_message()}", err=True)


@dataclass(frozen=True)
class Mode:
    """How to compute and show: the number system's settings and the display's."""

    round: int | None
    round_mode: str
    exact: bool
    digits: int
    decimals: int
    notation: object


def _round_option(ctx, param, value: str | None) -> int | str | None:
    if value is None or value == "off":
        return value
    if value.isdigit() and 0 <= int(value) <= 12:
        return int(value)
    raise click.BadParameter("expected a whole number of decimals from 0 to 12, or 'off'")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="bptt-trace")
def main() -> None:
    """Worked hand calculations of RNN training: forward pass, full BPTT and the update, step by step."""


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["terminal", "json"]), default="terminal", show_default=True,
              help="terminal: worked tables for people; json: every value under its canonical name.")
@click.option("--example", "example", type=int, default=None, metavar="N",
              help="Trace only example N (from 1); totals and the update then use it alone.")
@click.option("--round", "round_", callback=_round_option, metavar="K|off", default=None,
              help="Hand calculation: round every written result to K decimals before it is used again "
                   "(decimal arithmetic); 'off' for full precision. Default: the scenario's display.round, else off.")
@click.option("--round-mode", type=click.Choice(["round", "truncate"]), default=None,
              help="With --round: round half up, or truncate (chop digits) as many students do.")
@click.option("--exact", is_flag=True, help="Exact arithmetic with sympy: fractions stay exact, tanh(23/100) stays symbolic.")
@click.option("--digits", type=click.IntRange(1, 30), default=None, help="With --exact: significant digits of the ≈ values (default 6).")
@click.option("--decimals", type=click.IntRange(0, 15), default=None,
              help="Decimals shown (default 3, or K with --round K; products inside a dot product get one more). Display only.")
@click.option("--notation", type=click.Choice(PRESET_NAMES), default=None,
              help="Names to show: default (W_xh, W_hh, W_hy), wi-wh-wo (Wi, Wh, Wo, hidden state O) or uvw (U, W, V, b, c).")
@click.option("--paths", "paths", metavar="PARAM", default=None,
              help="Show dL/dPARAM as the sum of chain-rule paths through time instead of the trace; PARAM is "
                   "W_hh, W_xh or b_h, or one entry such as 'W_hh[1,2]' (from 1). Computed in float64.")
@click.option("--full", is_flag=True, help="Show every row and column of large vectors and matrices.")
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: on for a terminal, "
              "off when piped or NO_COLOR is set).")
@click.option("--width", type=click.IntRange(40, 1000), default=None, help="Terminal width in columns.")
def run(scenario: str, fmt: str, example: int | None, round_, round_mode: str | None, exact: bool,
        digits: int | None, decimals: int | None, notation: str | None, paths: str | None, full: bool,
        color: bool | None, width: int | None) -> None:
    """Trace the forward pass, full BPTT and one gradient-descent update of SCENARIO (a YAML file)."""
    sc = _load(scenario)
    mode = _mode(sc, round_, round_mode, exact, digits, decimals, notation)
    chosen = _chosen_examples(sc, example)
    if paths is not None:
        _paths(sc, scenario, paths, mode, chosen, fmt, full, color, width)
        return
    trace, full_trace = _trace(sc, scenario, mode, chosen)
    drift_rows = None
    if full_trace is not None:
        from bptt_trace.drift import drift
        drift_rows = drift(trace, full_trace, chosen)
    if fmt == "json":
        from bptt_trace.render.json_out import render_json
        click.echo(render_json(trace, chosen, drift_rows), nl=False)
        return
    _print_terminal(trace, chosen, mode, drift_rows, full, color, width)


def _load(path: str):
    from bptt_trace.errors import InputError
    from bptt_trace.loader import load_scenario
    try:
        return load_scenario(path)
    except InputError as exc:
        raise BadInput(exc.describe()) from None


def _mode(sc, round_, round_mode, exact, digits, decimals, notation) -> Mode:
    """Command-line options first, then the scenario's `display:` and `notation:`, then defaults."""
    if exact and isinstance(round_, int):
        raise BadInput("--exact and --round cannot be used together: choose exact or hand-rounded arithmetic")
    d = sc.display
    places = None if exact or round_ == "off" else (round_ if round_ is not None else d.round)
    return Mode(round=places, round_mode=round_mode or d.round_mode, exact=exact, digits=digits or d.digits or 6,
                decimals=decimals if decimals is not None else (d.decimals if d.decimals is not None else
                                                                (places if places is not None else 3)),
                notation=notation or d.notation)


def _chosen_examples(sc, example: int | None) -> list[int]:
    if example is not None and not 1 <= example <= len(sc.examples):
        raise BadInput(f"--example must be from 1 to {len(sc.examples)} (the scenario has "
                       f"{len(sc.examples)} examples), got {example}")
    return [example] if example else list(range(1, len(sc.examples) + 1))


def _trace(sc, path: str, mode: Mode, chosen: list[int]):
    """The trace in the chosen number system, and the float64 one to measure a hand calculation's drift."""
    from bptt_trace import engine
    from bptt_trace.errors import ArithmeticFault
    from bptt_trace.numsys import HandDecimal
    try:
        if mode.exact:
            from bptt_trace.exact import Exact
            return engine.run(sc, Exact(mode.digits), chosen), None
        if mode.round is not None:
            return engine.run(sc, HandDecimal(mode.round, mode.round_mode), chosen), engine.run(sc, examples=chosen)
        return engine.run(sc, examples=chosen), None
    except ArithmeticFault as exc:
        raise BadInput(f"{path}: {exc}") from None


def _paths(sc, path: str, target: str, mode: Mode, chosen: list[int], fmt: str, full: bool,
           color: bool | None, width: int | None) -> None:
    """The chain-rule paths of one parameter (or entry), from a float64 trace."""
    from bptt_trace.paths import chain_paths, parse_target
    shapes = {name: tuple(len(x) for x in (value, value[0]) if isinstance(x, tuple))
              for name, value in sc.parameters.items()}
    try:
        param, entry = parse_target(target, shapes)
    except ValueError as exc:
        raise BadInput(f"--paths: {exc}") from None
    trace, _ = _trace(sc, path, Mode(None, "round", False, mode.digits, mode.decimals, mode.notation), chosen)
    report = chain_paths(trace, param, entry, chosen)
    if fmt == "json":
        from bptt_trace.render.json_out import render_paths_json
        click.echo(render_paths_json(report), nl=False)
        return

    _print_terminal(trace, chosen, mode, None, full, color, width, lambda sheet: sheet.build_paths(report, trace))


def wants_color(flag: bool | None, isatty: bool, environ) -> bool:
    """--color/--no-color win; otherwise colour only on a terminal without NO_COLOR or TERM=dumb."""
    if flag is not None:
        return flag
    return isatty and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"


def _print_terminal(trace, chosen: list[int], mode: Mode, drift_rows, full: bool, color: bool | None,
                    width: int | None, build=None) -> None:
    """Styled through rich on a terminal; plain text, without loading rich, when piped or NO_COLOR."""
    import os
    import shutil

    from bptt_trace.render.labels import Labels
    from bptt_trace.render.numfmt import NumberFormat
    from bptt_trace.render.paths_view import PathsWorksheet
    from bptt_trace.render.terminal import TerminalWriter

    color = wants_color(color, sys.stdout.isatty(), os.environ)
    width = width or (shutil.get_terminal_size((80, 24)).columns if sys.stdout.isatty() else 80)
    sheet = PathsWorksheet(NumberFormat(mode.decimals, mode.digits), max_items=10**9 if full else 8,
                           labels=Labels(mode.notation))
    blocks = build(sheet) if build else sheet.build(trace, chosen, drift_rows)
    lines = TerminalWriter(width).write(blocks)
    if not color:
        click.echo("\n".join(line.text for line in lines))
        return
    from rich.console import Console
    from rich.text import Text

    text = Text(no_wrap=True, overflow="ignore")
    for line in lines:
        text.append(line.text + "\n", style=line.style or None)
    Console(width=width, force_terminal=True, highlight=False).print(text, end="", soft_wrap=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
