"""`run` and `export` on long sequences: the middle elided to one line, `--steps` showing exactly the steps
asked, `--full` everything, the numbers of the steps shown unchanged, and bad `--steps` refused (exit 2)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from bptt_trace.cli import main
from tests.conftest import ROOT

STEPS = 20
SECTION_END = re.compile(r"^(Timestep |… time step|Output and loss|Backward pass|Gradients summed|─+ \S)")


def scenario(tmp_path, every: bool = False):
    """A vanilla RNN of hidden 2 over 20 input vectors (one output at the end, or one at every step)."""
    inputs = ", ".join(f"[{(t % 7) / 10}, {-(t % 5) / 10}]" for t in range(1, STEPS + 1))
    target = "[" + ", ".join(str(t % 2) for t in range(STEPS)) + "]" if every else "1"
    text = ("name: long\nmodel:\n  cell: rnn\n  activation: tanh\n  hidden_size: 2\n  output: sigmoid\n  loss: bce\n"
            + ("  outputs_at: every\n" if every else "") +
            "parameters:\n  W_xh: [[0.1, 0.2], [0.3, -0.1]]\n  W_hh: [[0.2, -0.1], [0.1, 0.3]]\n  b_h: [0, 0.1]\n"
            f"  W_hy: [[0.5, -0.4]]\n  b_y: [0]\nexamples:\n  - inputs: [{inputs}]\n    target: {target}\n")
    path = tmp_path / ("every.yaml" if every else "long.yaml")
    path.write_text(text)
    return str(path)


def run(*args):
    result = CliRunner().invoke(main, ["run", *args, "--width", "120"])
    return result.exit_code, result.stdout, result.stderr


def headings(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(("Timestep ", "… time step"))]


def sections(out: str) -> dict[str, list[str]]:
    """Each time step's section (its heading and every line up to the next heading), by heading."""
    found, current = {}, None
    for line in out.splitlines():
        if SECTION_END.match(line):
            current = line if line.startswith("Timestep ") else None
            if current:
                found[current] = []
        if current:
            found[current].append(line)
    return found


def test_a_long_sequence_shows_its_first_and_last_three_steps_and_one_line_for_the_middle(tmp_path):
    code, out, _ = run(scenario(tmp_path))
    assert code == 0
    line = "… time steps 4–17 not shown (14): --steps 4-17 or --full shows them"
    forward = [f"Timestep {t}: x_{t}" for t in (1, 2, 3)] + [line] + [f"Timestep {t}: x_{t}" for t in (18, 19, 20)]
    backward = [f"Timestep {t} (backward)" for t in (20, 19, 18)] + [line] + \
        [f"Timestep {t} (backward)" for t in (3, 2, 1)]
    assert [h.split(" = ")[0] for h in headings(out)] == forward + backward
    assert "Gradients summed over time steps" in out and "W_hh ← W_hh − η·∂L/∂W_hh" in out  # the summary in full
    assert "Drift from full precision" in out


def test_steps_shows_exactly_the_steps_asked(tmp_path):
    code, out, _ = run(scenario(tmp_path), "--steps", "2,7-8")
    assert code == 0
    shown = [int(re.match(r"Timestep (\d+)", h).group(1)) for h in headings(out) if h.startswith("Timestep")]
    assert shown == [2, 7, 8, 8, 7, 2]
    gaps = [h for h in headings(out) if h.startswith("…")]
    assert gaps == ["… time step 1 not shown: --steps 1 or --full shows it",
                    "… time steps 3–6 not shown (4): --steps 3-6 or --full shows them",
                    "… time steps 9–20 not shown (12): --steps 9-20 or --full shows them",
                    "… time steps 9–20 not shown (12): --steps 9-20 or --full shows them",
                    "… time steps 3–6 not shown (4): --steps 3-6 or --full shows them",
                    "… time step 1 not shown: --steps 1 or --full shows it"]


def test_the_steps_shown_are_those_of_the_full_output(tmp_path):
    path = scenario(tmp_path)
    full, elided, some = (run(path, *extra)[1] for extra in (["--full"], [], ["--steps", "5,9"]))
    everything = sections(full)
    assert len(everything) == 2 * STEPS and not headings(full)[0].startswith("…")
    assert all(line.startswith("Timestep") for line in headings(full))
    for out, count in ((elided, 12), (some, 4)):
        shown = sections(out)
        assert len(shown) == count
        assert all(lines == everything[h] for h, lines in shown.items())
    # the summary is the same, too, apart from the running totals (elided to 8 columns without --full)
    assert elided.split("Over all examples", 1)[1] == run(path, "--steps", f"1-{STEPS}")[1].split("Over all examples", 1)[1]


def test_many_to_many_elides_its_losses_too(tmp_path):
    code, out, _ = run(scenario(tmp_path, every=True))
    assert code == 0
    assert out.count("… time steps 4–17 not shown (14)") == 3  # forward, losses, backward
    assert "target y_4" not in out and "target y_3" in out and "target y_18" in out


def test_a_short_sequence_is_not_elided():
    code, out, _ = run(str(ROOT / "scenarios" / "sentiment.yaml"))
    assert code == 0 and "not shown" not in out and "Timestep 6 (backward)" in out


@pytest.mark.parametrize("args, message", [
    (["--steps", "9-3"], "--steps: '9-3' runs backwards: write the smaller step first (3-9)"),
    (["--steps", "21"], "--steps: '21' is outside the time steps 1 to 20 of this scenario"),
    (["--steps", "0-2"], "--steps: '0-2' is outside the time steps 1 to 20"),
    (["--steps", "3..5"], "--steps: expected time steps such as 7, 40-45 or 3,7-9, got '3..5'"),
    (["--steps", "4", "--format", "json"], "--steps chooses what people read"),
    (["--steps", "4", "--paths", "W_hh"], "--steps chooses the time steps of the worked calculation; --paths"),
])
def test_bad_steps_exit_2_with_one_message(tmp_path, args, message):
    code, out, err = run(scenario(tmp_path), *args)
    assert code == 2 and out == "" and message in err and "Traceback" not in err
    assert err.count("\n") == 1


def test_steps_on_a_feedforward_network_is_refused():
    code, _, err = run(str(ROOT / "scenarios" / "xor.yaml"), "--steps", "1")
    assert code == 2 and "feedforward network (cell: mlp), which has layers, not time steps" in err


def test_export_elides_long_sequences_too_unless_full(tmp_path):
    path = scenario(tmp_path)
    elided, full = tmp_path / "e.md", tmp_path / "f.md"
    for out, extra in ((elided, []), (full, ["--full"])):
        result = CliRunner().invoke(main, ["export", path, "-o", str(out), "--no-figures", *extra])
        assert result.exit_code == 0, result.output
    assert "time steps 4–17 not shown (14): --steps 4-17 or --full shows them" in elided.read_text()
    assert "not shown" not in full.read_text() and "Timestep 10" in full.read_text()
    assert "Timestep 10" not in elided.read_text()
