"""The rendering speed-ups change no byte: `run` and `export` write exactly what they wrote before.

The goldens (gzipped, in golden/unchanged/) were written by the code before the speed-ups of issue 18,
with `python tests/render/test_output_unchanged.py --write DIR` run from that version: terminal plain
and colour, elided and `--full`, hand-rounded and `--round off`, exact, other notations and widths,
every kind of network, and a generated T = 30 scenario (golden/unchanged/t30.yaml), and the Markdown
and LaTeX worksheets.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "golden" / "unchanged"
ROOT = Path(__file__).resolve().parents[2]
T30 = str(HERE / "t30.yaml")
BUDGET = ["--budget", "time=2h,memory=8G,output=4G"]


def _s(name: str) -> str:
    return str(ROOT / "scenarios" / f"{name}.yaml")


CASES: dict[str, list[str]] = {
    "sentiment-plain": ["run", _s("sentiment"), "--width", "80"],
    "sentiment-color": ["run", _s("sentiment"), "--color", "--width", "100"],
    "sentiment-roundoff": ["run", _s("sentiment"), "--round", "off", "--width", "80"],
    "sentiment-exact-color": ["run", _s("sentiment"), "--exact", "--color", "--width", "90"],
    "lstm-w60-d4": ["run", _s("lstm_sentiment"), "--width", "60", "--decimals", "4"],
    "gru-full-color": ["run", _s("gru_sentiment"), "--full", "--color", "--width", "80"],
    "birnn-roundoff-w160": ["run", _s("birnn_sentiment"), "--round", "off", "--width", "160"],
    "xor-full": ["run", _s("xor"), "--full", "--width", "80"],
    "time-series-uvw-color": ["run", _s("time_series"), "--notation", "uvw", "--color", "--width", "100"],
    "t30-plain": ["run", T30, "--width", "80"],
    "t30-full": ["run", T30, "--full", "--width", "100"],
    "t30-full-color-w80": ["run", T30, "--full", "--color", "--width", "80"],
    "t30-full-roundoff-w160": ["run", T30, "--full", "--round", "off", "--width", "160"],
    "t30-steps-truncate-color": ["run", T30, "--steps", "2,5-6", "--round", "2", "--round-mode", "truncate",
                                 "--color", "--width", "100"],
    "sentiment-md": ["export", _s("sentiment"), "-o", "-", "--format", "markdown", "--no-figures"],
    "sentiment-key-tex": ["export", _s("sentiment"), "-o", "-", "--format", "latex", "--no-figures", "--answer-key"],
    "lstm-blank-md": ["export", _s("lstm_sentiment"), "-o", "-", "--format", "markdown", "--no-figures",
                      "--blank", "all"],
    "t30-tex": ["export", T30, "-o", "-", "--format", "latex", "--no-figures"],
}


def output(args: list[str]) -> str:
    """What the command writes to standard output (in-process)."""
    from click.testing import CliRunner

    from bptt_trace.cli import main
    result = CliRunner().invoke(main, args + (BUDGET if args[0] == "run" else []))
    assert result.exit_code == 0, result.output
    return result.stdout


def assert_unchanged(case: str, args: list[str], folder: Path) -> None:
    """The command's output is the golden `folder/case.txt.gz`; else fail at the first differing line."""
    expected = gzip.decompress((folder / f"{case}.txt.gz").read_bytes()).decode()
    got = output(args)
    if got != expected:  # the first differing line, not a 100 kB diff
        lines = zip(got.splitlines(), expected.splitlines())
        first = next((k, a, b) for k, (a, b) in enumerate(lines) if a != b) if got.splitlines() != \
            expected.splitlines() else (None, len(got), len(expected))
        pytest.fail(f"{case}: output changed at line {first[0]}: {first[1]!r} != {first[2]!r}")


def write_goldens(cases: dict[str, list[str]], folder: Path) -> None:
    """Each case's output, gzipped, into `folder` (run from the version whose output is golden)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, args in cases.items():
        (folder / f"{name}.txt.gz").write_bytes(gzip.compress(output(args).encode(), mtime=0))


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_is_byte_identical_to_before(case: str) -> None:
    assert_unchanged(case, CASES[case], HERE)


if __name__ == "__main__" and sys.argv[1:2] == ["--write"]:  # run from the version whose output is golden
    write_goldens(CASES, Path(sys.argv[2]))
