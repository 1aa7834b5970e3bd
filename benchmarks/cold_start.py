"""Cold start of `bptt-trace run scenarios/sentiment.yaml` against bare imports of its libraries.

Target: at most 1.5x `python -c "import numpy, ruamel.yaml, click, rich"` (ruamel.yaml is our
YAML loader, so it stands where the issue wrote `yaml`), and no sympy import on this path.
Runs are interleaved so machine noise hits both alike; medians are reported. The package is
byte-compiled first, as a regular `pip install` does and as Python does on a first run (an
editable install under PYTHONDONTWRITEBYTECODE=1 would otherwise recompile it on every run,
while the baseline's libraries were compiled when pip installed them).
"""

from __future__ import annotations

import statistics
import subprocess
import sys

from _common import ROOT, tool, wall

RUNS = 15


def main() -> int:
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "bptt_trace")], check=True)
    run = tool() + ["run", "scenarios/sentiment.yaml"]
    base = [sys.executable, "-c", "import numpy, ruamel.yaml, click, rich"]
    wall(run), wall(base)  # warm the file cache
    runs, bases = [], []
    for _ in range(RUNS):
        runs.append(wall(run))
        bases.append(wall(base))
    probe = ("import sys; from bptt_trace.cli import main\ntry:\n main(['run','scenarios/sentiment.yaml'],"
             "standalone_mode=False)\nfinally:\n print('SYMPY' if 'sympy' in sys.modules else 'NOSYMPY', file=sys.stderr)")
    sympy = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True).stderr.strip()
    r, b = statistics.median(runs), statistics.median(bases)
    print(f"bptt-trace run sentiment: median {r * 1000:.0f} ms over {RUNS} runs")
    print(f"bare imports baseline:    median {b * 1000:.0f} ms over {RUNS} runs")
    print(f"ratio: {r / b:.2f}x (target <= 1.5x); sympy imported: {sympy == 'SYMPY'}")
    return 0 if r / b <= 1.5 and sympy == "NOSYMPY" else 1


if __name__ == "__main__":
    sys.exit(main())
