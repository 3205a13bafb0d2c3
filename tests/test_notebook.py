"""The analysis notebook runs offline, top to bottom, from its own folder, with inline plots."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent


def test_notebook_executes_from_its_folder_with_inline_plots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the notebook's run folder (tempfile.mkdtemp) lands here, not in /tmp for good
    nb = nbformat.read(REPO / "notebooks" / "analysis.ipynb", as_version=4)
    committed = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert any("image/png" in o.get("data", {}) for o in committed), "commit the notebook with its outputs"
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(REPO / "notebooks")}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 4
    text = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "DoD-funded papers with PRC co-authors" in text and "never adds them into one share" in text
    assert list(tmp_path.glob("**/notebook/manifest.json"))  # the run it wrote, in tmp_path
