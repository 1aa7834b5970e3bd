"""The package layout: every import points down the stages, never up, never across, never in a circle.

Each module's imports are read from its source (function-level imports included), so a lazy
import cannot hide an upward dependency or a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "bptt_trace"

# Rank of each stage, bottom first; a module may import modules of a lower rank, or of its own
# stage. Stages that share a rank (marking, analysis) may not import each other.
RANKS = {
    "base": 0,  # errors, version, output, pdf, cores: they import nothing else of the package
    "numbers": 1,
    "scenario": 2,
    "record": 3,
    "networks": 4,
    "marking": 5, "analysis": 5,
    "render": 6,
    "commands": 7,  # cli, jobs, printing, __main__ and the package's __init__
}
BASE = {"errors", "version", "output", "pdf", "cores"}


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """The package's modules that `path` imports, anywhere in its source."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import"
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return {m for m in found if m in MODULES and m.startswith("bptt_trace")}


def _stage(module: str) -> str:
    """The stage a module belongs to: its subpackage, or its own name at the top level."""
    parts = module.split(".")
    if len(parts) == 2 and MODULES[module].name != "__init__.py":
        return "base" if parts[1] in BASE else "commands"
    return parts[1] if len(parts) > 1 else "commands"


GRAPH = {m: _imports(p) - {m} for m, p in MODULES.items()}


def test_every_stage_has_a_rank():
    assert {_stage(m) for m in MODULES} <= set(RANKS), "a new stage needs a rank in this test"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module):
    here = _stage(module)
    for target in GRAPH[module]:
        there = _stage(target)
        if there == here:
            continue
        assert RANKS[there] < RANKS[here], f"{module} imports {target}: {there} is not below {here}"


def test_no_import_cycle():
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in sorted(GRAPH[m]):
            if state.get(n) == 1:
                raise AssertionError("import cycle: " + " -> ".join(path[path.index(n):] + [n]))
            if n not in state:
                visit(n, path + [n])
        state[m] = 2

    for m in sorted(GRAPH):
        if m not in state:
            visit(m, [m])


def test_each_stage_says_what_it_holds_and_may_import():
    for sub in (p for p in PACKAGE.iterdir() if (p / "__init__.py").exists()):
        doc = ast.get_docstring(ast.parse((sub / "__init__.py").read_text()))
        assert doc and "import" in doc, f"{sub.name}/__init__.py needs a docstring naming what it may import"


def test_every_network_kind_has_a_module():
    from bptt_trace.networks.run import NETWORKS
    from bptt_trace.scenario.spec import CELLS
    assert set(CELLS) | {"birnn"} == set(NETWORKS)
    for module in NETWORKS.values():
        assert module in MODULES
