"""Cold start of `bptt-trace run scenarios/sentiment.yaml`, piped and on a terminal with colour,
against bare imports of its libraries.

Baseline: `python -c "import numpy, ruamel.yaml, click, rich"`, the libraries the command is
built on (numpy computes, ruamel.yaml reads the scenario, click parses the command line, rich is
the colour dependency; ruamel.yaml stands where the issue wrote `yaml`). That is the floor: any
program doing this work with these libraries pays their import before computing anything.
The issue's targets are stated against it; the ratio against the three libraries the piped
path really loads (without rich) is printed too, as the stricter figure.

Targets: piped at most 1.3x, on a terminal with colour at most 1.5x (the terminal is a pty, as
a real one is, with TERM=xterm-256color), and no sympy import on this path. Runs are
interleaved so machine noise hits both alike; medians are reported. The package is
byte-compiled first, as a regular `pip install` does and as Python does on a first run (an
editable install under PYTHONDONTWRITEBYTECODE=1 would otherwise recompile it on every run,
while the baseline's libraries were compiled when pip installed them).
"""

from __future__ import annotations

import os
import pty
import statistics
import subprocess
import sys
import threading
import time

from _common import ROOT, tool, wall

RUNS = 15


def on_terminal(cmd: list[str]) -> float:
    """Seconds one run of a command takes with its output on a pseudo-terminal (read and discarded)."""
    master, slave = pty.openpty()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="100")
    env.pop("NO_COLOR", None)
    drain = threading.Thread(target=_drain, args=(master,), daemon=True)
    drain.start()
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=slave, stderr=slave, stdin=subprocess.DEVNULL, cwd=ROOT, env=env)
    elapsed = time.perf_counter() - start
    os.close(slave)
    drain.join(5)
    os.close(master)
    return elapsed


def _drain(fd: int) -> None:
    """Read a pty until its other end closes, so the program never waits on a full buffer."""
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass


def medians(pairs: dict[str, tuple], runs: int = RUNS) -> dict[str, float]:
    """The median seconds of each (how, command), run interleaved."""
    times: dict[str, list[float]] = {k: [] for k in pairs}
    for how, cmd in pairs.values():  # warm the file cache
        how(cmd)
    for _ in range(runs):
        for k, (how, cmd) in pairs.items():
            times[k].append(how(cmd))
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> int:
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "bptt_trace")], check=True)
    run = tool() + ["run", "scenarios/sentiment.yaml"]
    m = medians({"piped": (wall, run), "colour": (on_terminal, run),
                 "base": (wall, [sys.executable, "-c", "import numpy, ruamel.yaml, click, rich"]),
                 "base3": (wall, [sys.executable, "-c", "import numpy, ruamel.yaml, click"])})
    probe = ("import sys; from bptt_trace.cli import main\ntry:\n main(['run','scenarios/sentiment.yaml'],"
             "standalone_mode=False)\nfinally:\n print('SYMPY' if 'sympy' in sys.modules else 'NOSYMPY', file=sys.stderr)")
    sympy = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True).stderr.strip()
    piped, colour, base = m["piped"] / m["base"], m["colour"] / m["base"], m["base"]
    print(f"bare imports (numpy, ruamel.yaml, click, rich): median {base * 1000:.0f} ms over {RUNS} runs "
          f"(without rich: {m['base3'] * 1000:.0f} ms)")
    print(f"run sentiment, piped:       median {m['piped'] * 1000:.0f} ms, ratio {piped:.2f}x (target <= 1.3x; "
          f"{m['piped'] / m['base3']:.2f}x without rich in the baseline)")
    print(f"run sentiment, colour, pty: median {m['colour'] * 1000:.0f} ms, ratio {colour:.2f}x (target <= 1.5x; "
          f"{m['colour'] / m['base3']:.2f}x without rich in the baseline)")
    print(f"sympy imported: {sympy == 'SYMPY'}")
    return 0 if piped <= 1.3 and colour <= 1.5 and sympy == "NOSYMPY" else 1


if __name__ == "__main__":
    sys.exit(main())
