"""Work estimates: what a command will cost (memory, output, time) before it starts, against a budget.

The costs are counted from the scenario alone: the trace's entries (as the loader counts them),
the time steps, the chain-rule paths and their factors, the epochs. Each is priced by constants
measured on a modest machine (see `benchmarks/estimates.py`), rounded up. A command whose
estimate exceeds the budget is refused before it starts; `--budget memory=8G,output=1G,time=1h`
raises the limits.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from bptt_trace.scenario.spec import Scenario

GB, MB = 1024 ** 3, 1024 ** 2
UNITS = {"": 1, "K": 1024, "M": MB, "G": GB, "T": 1024 * GB}
SECONDS = {"": 1, "S": 1, "M": 60, "H": 3600}

# Cost of one trace entry (one number the trace stores), by number system: bytes, seconds.
ENTRY_BYTES = {"float": 8, "hand": 64, "exact": 2500}
ENTRY_SECONDS = {"float": 3e-8, "hand": 3e-6, "exact": 2.5e-3}
# The fast hand engine (record/hand_recorder) on K-place givens, K <= 9: its values are float64 mantissas,
# made Decimals only when read (all of them for JSON; a worksheet writes them from their digits); about
# 1e-7 s an entry measured with its float64 twin (hidden 16, T = 10,000, quiet).
FAST_HAND_BYTES, FAST_HAND_SECONDS = 16, 2.5e-7
TRAIN_ENTRY_SECONDS = 3e-8   # an epoch keeps no trace: far cheaper per entry than a traced run
BASE_SECONDS = 0.6           # start-up: the interpreter, numpy, the loader (0.25 s measured, quiet)
LOAD_SECONDS_PER_NUMBER = 3e-5  # reading and validating one number of the file
STEP_SECONDS = 8e-5          # Python's cost of one time step's recorded operations and its share of the
#                              elided tables (float64; hidden 16, T = 10,000 runs in about 1 s, quiet)
TRAIN_STEP_SECONDS = 6e-4    # one time step of a training epoch
BASE_BYTES = 60 * MB         # the interpreter, numpy (and sympy)
FULL_BYTES_PER_ENTRY = 24    # --full and JSON write every entry: about 22 bytes measured (hidden 16, T = 10,000)
FULL_SECONDS_PER_ENTRY = 1e-5  # --full to a terminal: about 2.2e-6 measured hand-rounded (written from digits),
#                                4.5e-6 in float64 (hidden 16, T = 1000 and 10,000; a 2-core EPYC, quiet)
JSON_SECONDS_PER_ENTRY = 4e-6  # JSON of every entry: about 1.3e-6 measured, hand-rounded (T = 1000, one core busy)
SHOWN_BYTES_PER_STEP = 16_000  # elided tables: a bounded amount per time step
EXACT_BYTES_PER_ENTRY = 120
OUTPUT_COPIES = 4
FACTOR_BYTES, FACTOR_SECONDS = 90, 4e-6  # one factor name of one chain-rule path
PATH_BYTES = 250


class Budget(NamedTuple):
    """The most a command may use: bytes of memory, bytes of output, seconds of work."""

    memory: int = 2 * GB
    output: int = 200 * MB
    seconds: float = 600.0

    @classmethod
    def parse(cls, text: str | None) -> "Budget":
        """`memory=8G,output=500M,time=30m` (any of them); ValueError saying what was expected."""
        budget = cls()
        for part in (text or "").replace(" ", "").split(","):
            if not part:
                continue
            m = re.fullmatch(r"(memory|output|time)=(\d+(?:\.\d+)?)([A-Za-z]?)B?", part, re.ASCII)
            units = SECONDS if m and m.group(1) == "time" else UNITS
            if not m or m.group(3).upper() not in units:
                raise ValueError(f"expected memory=SIZE, output=SIZE or time=DURATION (such as memory=8G, "
                                 f"output=500M, time=30m), got '{part}'")
            value = float(m.group(2)) * units[m.group(3).upper()]
            if m.group(1) == "time":
                budget = budget._replace(seconds=value)
            else:
                budget = budget._replace(**{m.group(1): int(value)})
        return budget


class Estimate(NamedTuple):
    """A command's expected cost, and what it is made of (for the message)."""

    memory: float
    output: float
    seconds: float
    what: str


class OverBudget(ValueError):
    """An estimate exceeds the budget; the message gives the estimate and how to raise the limit."""


def _numbers(sc: Scenario) -> int:
    """The numbers the scenario file holds in its parameters (each one read and validated)."""
    return sum(len(v) * (len(v[0]) if isinstance(v[0], tuple) else 1) for v in sc.parameters.values())


def entries(sc: Scenario, examples: list[int]) -> tuple[int, int]:
    """(time steps, trace entries) of the chosen examples, counted as the loader bounds them."""
    steps = sum(sc.examples[k - 1].steps for k in examples)
    width = _numbers(sc)
    hidden = max([sc.model.hidden_size, *(n for n, _ in sc.model.layers)])
    return steps, steps * (width + 4 * hidden * hidden)


def trace_cost(sc: Scenario, examples: list[int], system: str, listing: bool, places: int | None = None,
               json: bool = False) -> Estimate:
    """One trace in `system` (float, hand to `places` decimals, exact), shown in full (`listing`: --full, or
    JSON when `json`) or elided."""
    steps, n = entries(sc, examples)
    entry_bytes, entry_seconds = ENTRY_BYTES[system], ENTRY_SECONDS[system]
    if system == "hand" and fast_hand(sc, examples, places):
        entry_bytes, entry_seconds = (entry_bytes if json else FAST_HAND_BYTES), FAST_HAND_SECONDS
    memory = BASE_BYTES + n * entry_bytes + (n * ENTRY_BYTES["float"] if system == "hand" else 0)
    seconds = BASE_SECONDS + _numbers(sc) * LOAD_SECONDS_PER_NUMBER + steps * STEP_SECONDS + \
        n * entry_seconds + (n * (JSON_SECONDS_PER_ENTRY if json else FULL_SECONDS_PER_ENTRY) if listing else 0)
    output = n * FULL_BYTES_PER_ENTRY if listing else steps * SHOWN_BYTES_PER_STEP
    if system == "exact":  # symbols and their definitions are written out too
        output = max(output, n * EXACT_BYTES_PER_ENTRY)
    memory += OUTPUT_COPIES * output  # the text is built in memory before it is written
    what = {"float": "a float64 trace", "hand": "a hand-rounded trace (decimal arithmetic) and its float64 twin",
            "exact": "an exact (sympy) trace"}[system]
    shown = ", every entry written out" if listing else ""
    return Estimate(memory, output, seconds, f"{what} of {steps:,} time steps storing about {n:,} numbers{shown}")


def fast_hand(sc: Scenario, examples: list[int], places: int | None) -> bool:
    """Whether a hand calculation to `places` decimals takes the fast engine: every given number (parameters,
    inputs, initial states, targets, rate, clip limit) a multiple of 10^-places, places at most the engine's MAX_PLACES."""
    from bptt_trace.record.hand_recorder import MAX_PLACES
    if places is None or not 0 <= places <= MAX_PLACES:
        return False
    vectors = [sc.h0, sc.c0 or (), (sc.learning_rate, sc.clip[1] if sc.clip else 0)]
    for value in sc.parameters.values():
        vectors += value if value and isinstance(value[0], tuple) else [value]
    for e in (sc.examples[k - 1] for k in examples):
        vectors += e.inputs + e.targets
    denominators = {q.denominator for v in vectors for q in v}
    return all(10 ** places % d == 0 for d in denominators)


def paths_cost(sc: Scenario, examples: list[int], param: str, entry: tuple | None, listing: bool) -> Estimate:
    """The chain-rule paths of `param` (or one entry): their number grows with the square of the steps,
    and their factors with the cube when every step has an output."""
    paths = factors = 0
    for k in examples:
        for s in sc.output_steps(sc.examples[k - 1]):
            paths += s
            factors += s * (s + 1) // 2 + 4 * s
    value = 1 if entry is not None else len(sc.parameters[param]) * (
        len(sc.parameters[param][0]) if isinstance(sc.parameters[param][0], tuple) else 1)
    hidden = sc.model.hidden_size
    base = trace_cost(sc, examples, "float", False)
    memory = base.memory + factors * FACTOR_BYTES + paths * (PATH_BYTES + 8 * value)
    seconds = base.seconds + factors * FACTOR_SECONDS + paths * hidden * hidden * 2e-9
    output = factors * FULL_BYTES_PER_ENTRY if listing else base.output + 20_000
    return Estimate(memory, output, seconds, f"--paths {param}: {paths:,} chain-rule paths with {factors:,} factors "
                                             f"in all")


def training_cost(sc: Scenario, epochs: int) -> Estimate:
    """`epochs` float64 passes over every example, one of them kept as a trace."""
    everyone = list(range(1, len(sc.examples) + 1))
    one = trace_cost(sc, everyone, "float", False)
    steps, n = entries(sc, everyone)
    seconds = one.seconds + epochs * (steps * TRAIN_STEP_SECONDS + n * TRAIN_ENTRY_SECONDS)
    return Estimate(one.memory, one.output, seconds, f"{epochs:,} epochs of {steps:,} time steps")


def check(estimate: Estimate, budget: Budget) -> None:
    """Refuse (OverBudget) an estimate over the budget, saying by how much and how to raise it."""
    for kind, used, limit, key, shown in (
            ("memory", estimate.memory, budget.memory, "memory", _size),
            ("output", estimate.output, budget.output, "output", _size),
            ("time", estimate.seconds, budget.seconds, "time", _duration)):
        if used > limit:
            raise OverBudget(f"{estimate.what} would need about {shown(used)} of {kind}; the budget is "
                             f"{shown(limit)}. Raise it with --budget {key}={_suggest(kind, used)}, or trace "
                             "fewer examples (--example) or shorter sequences")


def describe(estimate: Estimate) -> str:
    """`… about 3 min of work, 1.2 GB of memory`, for the note a long run starts with."""
    return (f"{estimate.what}: about {_duration(estimate.seconds)} of work and {_size(estimate.memory)} "
            "of memory (estimated)")


def _size(n: float) -> str:
    return f"{n / GB:.1f} GB" if n >= GB else f"{n / MB:.0f} MB" if n >= MB else f"{n / 1024:.0f} KB"


def _duration(s: float) -> str:
    return f"{s / 3600:.1f} h" if s >= 3600 else f"{s / 60:.0f} min" if s >= 60 else f"{s:.0f} s"


def _suggest(kind: str, used: float) -> str:
    if kind == "time":
        return f"{int(used / 60) + 1}m"
    return f"{int(used / GB) + 1}G" if used >= GB else f"{int(used / MB) + 1}M"
