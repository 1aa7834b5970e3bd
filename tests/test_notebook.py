"""The example notebook runs top to bottom (its cells assert values), and its results display as Markdown
with math."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def test_the_example_notebook_runs_and_displays_math(tmp_path):
    nb = nbformat.read(ROOT / "examples" / "api.ipynb", as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "stored without outputs"
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = [o.data["text/markdown"] for o in outputs if o.output_type == "execute_result" and "text/markdown" in o.data]
    assert len(shown) == 3  # the trace, the marking and the gradient flow
    assert shown[0].startswith("# Worksheet: sentiment") and "$h_{1} = \\tanh(z_{1})$" in shown[0]
    assert "| $h_{1} (\\text{example}\\ 1)$ |" in shown[1] and "wrong" in shown[1]
    assert "vanishing" in shown[2]
    printed = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")
    assert "all right from epoch 64" in printed and "did you mean 'sentiment'?" in printed
