"""Locate the project's data folders (ontology/, shapes/, queries/, bundled corpus) at run time.

In a checkout (editable install) they are the top-level folders of the repository;
in a wheel they are copied into the package under `dtkg/_data/`.
"""
from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def folder(name: str) -> Path:
    """Return the folder `ontology`, `shapes` or `queries`, wherever this install keeps it."""
    for candidate in (_PKG / "_data" / name, _PKG.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"dtkg data folder {name!r} not found (is the install complete?)")


def data(name: str) -> Path:
    """Return a file or folder under `src/dtkg/data` (curated data shipped with the code)."""
    return _PKG / "data" / name


def sample_corpus() -> Path:
    """The bundled sample corpus: the five seed articles the project was started from."""
    return data("corpus")
