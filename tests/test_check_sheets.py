"""A class of realistic sheets worked by hand (tests/sheets.py), marked with the CLI: no crash, every
planted mistake found and located, no honest answer marked wrong, every planted misconception named."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from bptt_trace.cli import main
from bptt_trace.scenario.loader import load_scenario
from tests.conftest import ROOT
from tests.sheets import plan, work

SCENARIOS = ("sentiment", "i_love_ai", "lstm_sentiment", "gru_sentiment", "xor", "regression")
SHEETS = 24
RESULTS: dict = {}


def mark_class(tmp_path, name: str):
    """(sheets' plants, the CLI's JSON) for a class of SHEETS sheets of one scenario."""
    sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    rng = random.Random(name)
    paths, plants = [], []
    for i in range(SHEETS):
        places, mode = rng.choice((3, 4, 6)), rng.choice(("round", "truncate"))
        planted = plan(sc, rng, places, mode, rng.choice((0, 1, 1, 2, 3)))
        pen = work(sc, places, mode, planted, skip=rng.choice((0.0, 0.2, 0.5)), seed=i, products=rng.random() < 0.4)
        path = tmp_path / f"{name}-{i:02d}.yaml"
        path.write_text(pen.yaml(sc.parameter_names))
        paths.append(str(path))
        plants.append((pen.plants, pen))  # as worked: a misconception too close to call became a slip
    result = CliRunner().invoke(main, ["check", str(ROOT / "scenarios" / f"{name}.yaml"), *paths, "--format", "json"])
    assert result.exit_code in (0, 1) and "Traceback" not in result.output, result.output[-3000:]
    return plants, json.loads(result.stdout)


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_class_of_hand_worked_sheets(tmp_path, name):
    plants, doc = mark_class(tmp_path, name)
    tp = fp = fn = named = to_name = 0
    problems, verdicts, kinds = [], {}, {}
    for (planted, pen), sheet in zip(plants, doc["sheets"]):
        assert sheet["status"] == "marked", sheet["problem"]
        answers = {(a["name"], a["example"]): a for a in sheet["answers"]}
        assert set(answers) == set(pen.sheet)
        for key, a in answers.items():
            verdicts[a["verdict"]] = verdicts.get(a["verdict"], 0) + 1
            flagged = a["verdict"] == "wrong" and not a["follows"]
            if key in planted:
                tp += flagged
                fn += not flagged
                if not flagged:
                    problems.append(f"{sheet['file']}: planted {planted[key]} at {key} marked {a['verdict']}")
                kinds[planted[key]] = kinds.get(planted[key], 0) + 1
                if planted[key] != "slip":
                    to_name += 1
                    named += a["misconception"] == planted[key]
                    if a["misconception"] != planted[key]:
                        problems.append(f"{sheet['file']}: {key} planted {planted[key]}, named {a['misconception']}")
            else:
                fp += flagged or a["verdict"] in ("imprecise", "malformed")
                if flagged or a["verdict"] in ("imprecise", "malformed"):
                    problems.append(f"{sheet['file']}: honest {key} marked {a['verdict']}: {a['note']}")
        mistakes = [(m["name"], m["example"]) for m in sheet["summary"]["mistakes"]]
        order = [k for k in answers if k in planted]  # the JSON lists answers in computation order
        assert mistakes == order or problems, (sheet["file"], mistakes, order)
        first = sheet["summary"]["first_mistake"]
        assert (first and (first["name"], first["example"])) == (order[0] if order else None) or problems
    RESULTS[name] = (tp, fp, fn, named, to_name)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"\n{name}: precision {precision:.3f}, recall {recall:.3f}, misconceptions named {named}/{to_name}; "
          f"verdicts {verdicts}; planted {kinds}")
    assert not problems, "\n".join(problems[:20])
    assert tp > 0 and to_name > 0
