"""The command line: parse options, load, run, pick a renderer, print, map errors to exit codes.

The only module that prints or exits. Heavy modules are imported inside the commands that use them.
"""

from __future__ import annotations

import sys

import click

from bptt_trace import __version__

EXIT_BAD_INPUT = 2


class BadInput(click.ClickException):
    """A user's file or option is wrong: one message, exit code 2."""

    exit_code = EXIT_BAD_INPUT

    def show(self, file=None) -> None:
        click.echo(f"bptt-trace: error: {self.format_message()}", err=True)


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
@click.option("--decimals", type=click.IntRange(0, 15), default=3, show_default=True,
              help="Decimals shown (products inside a dot product get one more). Display only.")
@click.option("--full", is_flag=True, help="Show every row and column of large vectors and matrices.")
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: on for a terminal, "
              "off when piped or NO_COLOR is set).")
@click.option("--width", type=click.IntRange(40, 1000), default=None, help="Terminal width in columns.")
def run(scenario: str, fmt: str, example: int | None, decimals: int, full: bool, color: bool | None,
        width: int | None) -> None:
    """Trace the forward pass, full BPTT and one gradient-descent update of SCENARIO (a YAML file)."""
    from bptt_trace import engine
    from bptt_trace.errors import ArithmeticFault, InputError
    from bptt_trace.loader import load_scenario

    try:
        sc = load_scenario(scenario)
        if example is not None and not 1 <= example <= len(sc.examples):
            raise BadInput(f"--example must be from 1 to {len(sc.examples)} (the scenario has "
                           f"{len(sc.examples)} examples), got {example}")
        chosen = [example] if example else list(range(1, len(sc.examples) + 1))
        trace = engine.run(sc, examples=chosen)
    except InputError as exc:
        raise BadInput(exc.describe()) from None
    except ArithmeticFault as exc:
        raise BadInput(f"{scenario}: {exc}") from None
    if fmt == "json":
        from bptt_trace.render.json_out import render_json
        click.echo(render_json(trace, chosen), nl=False)
        return
    _print_terminal(trace, chosen, decimals, full, color, width)


def wants_color(flag: bool | None, isatty: bool, environ) -> bool:
    """--color/--no-color win; otherwise colour only on a terminal without NO_COLOR or TERM=dumb."""
    if flag is not None:
        return flag
    return isatty and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"


def _print_terminal(trace, chosen: list[int], decimals: int, full: bool, color: bool | None,
                    width: int | None) -> None:
    """Styled through rich on a terminal; plain text, without loading rich, when piped or NO_COLOR."""
    import os
    import shutil

    from bptt_trace.render.numfmt import NumberFormat
    from bptt_trace.render.terminal import TerminalRenderer

    color = wants_color(color, sys.stdout.isatty(), os.environ)
    width = width or (shutil.get_terminal_size((80, 24)).columns if sys.stdout.isatty() else 80)
    renderer = TerminalRenderer(NumberFormat(decimals), max_items=10**9 if full else 8, width=width)
    lines = renderer.render(trace, chosen)
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
