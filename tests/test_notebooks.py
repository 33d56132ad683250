"""The notebooks run top to bottom on a fresh build, and are committed with their outputs."""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NAMES = [
    "01-who-chairs-what.ipynb",
    "02-provinces-and-national-databases.ipynb",
    "03-national-committee-meetings.ipynb",
    "04-dti-rankings.ipynb",
]
MACHINE_PATH = re.compile(r"(/tmp/|/var/folders/|/home/|/work/|/Users/|[A-Z]:\\\\)")


def test_the_folder_holds_the_listed_notebooks():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs(name, tmp_path):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_committed_with_small_clean_outputs(name):
    path = NOTEBOOKS / name
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.execution_count for c in code), "execute the notebook before committing it"
    assert all(c.outputs for c in code if not c.source.startswith(("import", "from"))), "a cell lost its output"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert path.stat().st_size < 1_000_000
    outputs = json.dumps([c.outputs for c in code], ensure_ascii=False)
    assert not MACHINE_PATH.search(outputs), MACHINE_PATH.search(outputs)
