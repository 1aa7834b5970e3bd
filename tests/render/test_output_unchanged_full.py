"""`--full` output is byte-identical to before its speed-ups (issue 18, the second round): the paths the
first round's goldens (`test_output_unchanged`) do not take, written by the code before this round with
`python tests/render/test_output_unchanged_full.py --write DIR` run from that version.

Wrapped long rows at width 60 (plain and colour), `--round off` in colour, and `--full` LSTM and GRU
traces (generated scenarios of 8 steps, hidden 6), plain and in colour, at widths 60 and 100.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.render.test_output_unchanged import assert_unchanged, write_goldens

HERE = Path(__file__).resolve().parent / "golden" / "unchanged_full"
T30 = str(Path(__file__).resolve().parent / "golden" / "unchanged" / "t30.yaml")
LSTM, GRU = str(HERE / "lstm8.yaml"), str(HERE / "gru8.yaml")

CASES: dict[str, list[str]] = {
    "t30-full-w60": ["run", T30, "--full", "--width", "60"],
    "t30-full-color-w60": ["run", T30, "--full", "--color", "--width", "60"],
    "t30-full-roundoff-color": ["run", T30, "--full", "--round", "off", "--color", "--width", "100"],
    "lstm8-full-color": ["run", LSTM, "--full", "--color", "--width", "100"],
    "lstm8-full-roundoff-w60": ["run", LSTM, "--full", "--round", "off", "--width", "60"],
    "gru8-full-w60": ["run", GRU, "--full", "--width", "60"],
    "gru8-full-color-d4": ["run", GRU, "--full", "--color", "--width", "100", "--decimals", "4"],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_full_output_is_byte_identical_to_before(case: str) -> None:
    assert_unchanged(case, CASES[case], HERE)


if __name__ == "__main__" and sys.argv[1:2] == ["--write"]:  # run from the version whose output is golden
    write_goldens(CASES, Path(sys.argv[2]))
