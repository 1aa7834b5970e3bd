"""The Python API, for notebooks and scripts: load a scenario, trace it, mark answers, train, follow the gradient.

    import bptt_trace as bt
    sc = bt.load("sentiment")             # a bundled name or a path
    tr = bt.trace(sc, round=3)            # tr["h[1]"] is a numpy array; tr.markdown(), tr.latex(), tr.to_json()
    bt.check(sc, {"answers": {"h[1]": [0.226, 0.310, 0.264]}})
    bt.train(sc, epochs=100), bt.gradients("vanishing")

Each returns an object that displays itself in Jupyter. Bad input raises `ScenarioError`, whose message is
what the command line prints. The command line calls the same wiring (`jobs`).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Callable, Iterator

import bptt_trace.jobs as jobs
from bptt_trace.errors import ArithmeticFault, InputError, ScenarioError
from bptt_trace.results import GradientReport, Marking, TrainingReport, Trace
from bptt_trace.scenario.spec import Scenario

__all__ = ["load", "trace", "check", "train", "gradients", "scenarios", "ScenarioError", "Scenario", "Trace",
           "Marking", "TrainingReport", "GradientReport"]


@contextlib.contextmanager
def errors() -> Iterator[None]:
    """Turn the commands' bad-input errors into ScenarioError, keeping the message."""
    try:
        yield
    except jobs.BadInput as exc:
        raise ScenarioError(exc.format_message()) from None
    except InputError as exc:
        raise ScenarioError(exc.describe()) from None


def load(path_or_name: str | Path) -> Scenario:
    """The validated scenario of a YAML file, or of a bundled scenario given by name (`sentiment`)."""
    with errors():
        return jobs.load(str(path_or_name))


def _scenario(scenario: Scenario | str | Path) -> tuple[Scenario, str]:
    """A scenario and the name to use in messages, from a Scenario, a path or a bundled name."""
    if isinstance(scenario, Scenario):
        return scenario, scenario.name
    if isinstance(scenario, (str, Path)):
        return load(scenario), str(scenario)
    raise TypeError(f"expected a Scenario, a path or a bundled scenario's name, got {type(scenario).__name__}")


def trace(scenario: Scenario | str | Path, *, example: int | None = None, round: int | str | None = None,
          round_mode: str | None = None, exact: bool = False, digits: int | None = None,
          decimals: int | None = None, notation: str | dict | None = None, paths: str | None = None) -> Trace:
    """The forward pass, BPTT and update, as `bptt-trace run` computes them; the options are run's."""
    sc, name = _scenario(scenario)
    _check_choice("round_mode", round_mode, ("round", "truncate"))
    if round is not None and round != "off" and not (isinstance(round, int) and 0 <= round <= 12):
        raise ScenarioError(f"round: expected a whole number of decimals from 0 to 12, or 'off', got {round!r}")
    round_mode, digits = _effective(sc, round, round_mode, exact, digits)
    with errors():
        return Trace(jobs.prepare_loaded(sc, name, example, round, round_mode, exact, digits, decimals,
                                         notation, paths))


def check(scenario: Scenario | str | Path, answers: dict | str | Path | list, *, tolerance: str | None = None,
          round: int | str | None = None, round_mode: str | None = None, notation: str | None = None,
          decimals: int | None = None) -> Marking:
    """Mark answers (a dict shaped as an answers file, a path to one, or a list of either) as `check` does."""
    from bptt_trace.marking.answers import load_answers
    from bptt_trace.marking.answers_dict import answers_yaml
    sc, name = _scenario(scenario)
    round_mode, _ = _effective(sc, round, round_mode, False, None)
    with errors():
        job = jobs.prepare_loaded(sc, name, round_=round, round_mode=round_mode, decimals=decimals,
                                  notation=notation)
        from bptt_trace.check_job import checker_for, mark_submission
        from bptt_trace.marking.classroom import ClassReport
        from bptt_trace.marking.scoring import Scorer
        checker, spec, asked = checker_for(job, tolerance)
        scorer = Scorer(spec)
        klass, sheets = ClassReport(), []
        for i, given in enumerate(answers if isinstance(answers, list) else [answers], start=1):
            if isinstance(given, dict):
                submission = load_answers(f"answers {i}" if isinstance(answers, list) else "answers",
                                          answers_yaml(given))
            else:
                submission = load_answers(given)
            sheets.append(mark_submission(checker, scorer, submission))
            klass.add(sheets[-1].student, sheets[-1].report)
    return Marking(job, sheets, klass, asked)


def train(scenario: Scenario | str | Path, *, epochs: int | None = None, update: str | None = None,
          trace_epoch: int = 1, progress: Callable[[int], None] | None = None) -> TrainingReport:
    """Train for `epochs` (default the scenario's training.epochs) with batch or per-example updates."""
    from bptt_trace.analysis.training import train as run_training
    from bptt_trace.scenario.spec import UPDATES
    sc, name = _scenario(scenario)
    epochs, update = epochs or sc.epochs, update or sc.update
    _check_choice("update", update, UPDATES)
    if not isinstance(epochs, int) or epochs < 1:
        raise ScenarioError(f"epochs: expected a whole number from 1, got {epochs!r}")
    if not 1 <= trace_epoch <= epochs:
        raise ScenarioError(f"--trace-epoch must be at most the number of epochs ({epochs}), got {trace_epoch}")
    try:
        return TrainingReport(run_training(sc, epochs, update, trace_epoch, progress), update)
    except ArithmeticFault as exc:
        raise ScenarioError(f"{name}: {exc}") from None


def gradients(scenario: Scenario | str | Path, *, example: int = 1) -> GradientReport:
    """How example's gradient flows back through time (one report per direction for a bidirectional RNN)."""
    from bptt_trace.analysis.gradient_flow import gradient_flows
    sc, name = _scenario(scenario)
    with errors():
        job = jobs.prepare_loaded(sc, name, example=example, round_="off")
    try:
        return GradientReport(job.trace.scenario.name, gradient_flows(job.trace, job.chosen[0]))
    except ValueError as exc:
        raise ScenarioError(f"{name}: {exc}") from None


def scenarios() -> dict[str, str]:
    """The bundled scenarios: name -> the first sentence of its description."""
    from bptt_trace.scenario.bundled import descriptions
    return dict(descriptions())


def _effective(sc: Scenario, round, round_mode: str | None, exact: bool, digits: int | None) -> tuple:
    """round_mode and digits, or None with a Python warning where they would have no effect."""
    import warnings
    places = None if exact or round == "off" else (round if round is not None else sc.display.round)
    if round_mode is not None and places is None:
        warnings.warn("round_mode has no effect without round=K (or display.round in the scenario)", stacklevel=3)
        round_mode = None
    if digits is not None and not exact:
        warnings.warn("digits has no effect without exact=True", stacklevel=3)
        digits = None
    return round_mode, digits


def _check_choice(option: str, value: Any, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        raise ScenarioError(f"{option}: expected one of {', '.join(choices)}, got {value!r}")
