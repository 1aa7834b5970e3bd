"""Shared fixtures: the repository root and a helper that writes a scenario variant to a temp file."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SENTIMENT = (ROOT / "scenarios" / "sentiment.yaml").read_text()


@pytest.fixture
def write(tmp_path):
    """write(text) -> path of a new YAML file holding text."""
    def _write(text: str, name: str = "case.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path
    return _write
