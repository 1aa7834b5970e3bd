"""JSON written as it is made: compact by default, `--indent` as json.dumps lays it out, `--only` subsets."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner

from bptt_trace.cli import main
from bptt_trace.jobs import prepare
from bptt_trace.render.json_out import document, render_json, write_json
from bptt_trace.render.json_stream import Lazy, NameFilter, stream
from tests.conftest import ROOT

SENTIMENT = str(ROOT / "scenarios" / "sentiment.yaml")


@pytest.mark.parametrize("options", [{}, {"round_": 3}, {"exact": True}])
def test_indented_text_is_what_json_dumps_writes_and_compact_holds_the_same(options):
    job = prepare(SENTIMENT, **options)
    doc = document(job.trace, job.chosen, job.drift)
    assert render_json(job.trace, job.chosen, job.drift, indent=2) == json.dumps(doc, indent=2, allow_nan=False) + "\n"
    compact = render_json(job.trace, job.chosen, job.drift)
    assert compact == json.dumps(doc, separators=(",", ":"), allow_nan=False) + "\n"
    assert json.loads(compact) == doc and "\n" not in compact[:-1]


def test_stream_lays_out_empty_and_nested_members_as_json_dumps():
    doc = {"a": [], "b": {}, "c": [{"d": [1.5, -0.0]}, {}], "e": Lazy(lambda: iter([("f", [[1, 2], [3, 4]])])),
           "g": Lazy(lambda: iter([])), "h": "ü"}
    plain = {**doc, "e": {"f": [[1, 2], [3, 4]]}, "g": {}}
    for indent in (None, 0, 1, 4):
        out = io.StringIO()
        stream(out, doc, indent)
        seps = (",", ":") if indent is None else None
        assert out.getvalue() == json.dumps(plain, indent=indent, separators=seps) + "\n"


def test_a_large_document_is_written_in_pieces():
    class Pieces(list):
        def write(self, text):
            self.append(len(text))
    job = prepare(str(ROOT / "scenarios" / "lstm_long.yaml"))
    out = Pieces()
    write_json(out, job.trace, job.chosen)
    assert sum(out) == len(render_json(job.trace, job.chosen))
    assert len(out) == 1 or max(out) < 2 * 2**20  # each piece about a megabyte at most


@pytest.mark.parametrize("pattern, kept, dropped", [
    ("h[*]", ["h[0]", "h[12]"], ["dL/dh[1]", "h", "th[1]"]),
    ("dL/dW_*", ["dL/dW_hh", "dL/dW_xh[3]"], ["dL/db_h", "W_hh"]),
    ("loss, z[2]", ["loss", "z[2]"], ["z[1]", "loss[1]"]),
    ("a.b", ["a.b"], ["axb"]),
])
def test_only_patterns_match_whole_names_with_star_as_the_only_wildcard(pattern, kept, dropped):
    keep = NameFilter(pattern)
    assert all(keep(n) for n in kept) and not any(keep(n) for n in dropped)


def test_only_keeps_the_asked_quantities_with_the_same_values():
    full = json.loads(CliRunner().invoke(main, ["run", SENTIMENT, "--format", "json"]).stdout)
    result = CliRunner().invoke(main, ["run", SENTIMENT, "--format", "json", "--only", "h[*],dL/dW_*"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    values, every = doc["examples"][0]["values"], full["examples"][0]["values"]
    assert sorted(values) == sorted(n for n in every if n.startswith("h[") or n.startswith("dL/dW_"))
    assert all(values[n] == every[n] for n in values)
    assert doc["total"] == {k: v for k, v in full["total"].items() if k.startswith("dL/dW_")}
    assert doc["updated"] == {} and doc["examples"][0]["tokens"] == full["examples"][0]["tokens"]


@pytest.mark.parametrize("args, message", [
    (["--format", "json", "--only", "h[1],nothing*"], "'nothing*' matches no quantity"),
    (["--only", "h[1]"], "use them with --format json"),
    (["--indent", "2"], "use them with --format json"),
    (["--format", "json", "--paths", "W_hh", "--only", "h[1]"], "use one or the other"),
])
def test_bad_json_options_are_one_clear_message(args, message):
    result = CliRunner().invoke(main, ["run", SENTIMENT, *args])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_indent_on_request_from_the_command_line():
    out = CliRunner().invoke(main, ["run", SENTIMENT, "--format", "json", "--indent", "2"]).stdout
    job = prepare(SENTIMENT)
    assert out == json.dumps(document(job.trace, job.chosen), indent=2) + "\n"
