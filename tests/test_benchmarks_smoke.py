"""Smoke test of the benchmark suite: the generator and the suite run on a tiny corpus (nothing is timed)."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
import measure  # noqa: E402
import queries_bench  # noqa: E402


def corpus_text(n: int, seed: int = 1, start: int = 0) -> str:
    out = io.StringIO()
    generate.write_corpus(out, n, seed, start)
    return out.getvalue()


def test_generator_is_deterministic_and_seeded():
    assert corpus_text(20) == corpus_text(20)
    assert corpus_text(20, seed=2) != corpus_text(20)


def test_generator_article_i_depends_only_on_seed_and_i():
    whole = corpus_text(20).splitlines()
    assert corpus_text(5, start=15).splitlines() == whole[15:]


@pytest.mark.parametrize("record", [json.loads(line) for line in corpus_text(20).splitlines()])
def test_generated_articles_are_complete(record):
    assert set(record) == {"id", "url", "title", "date", "text"}
    assert re.fullmatch(r"gen-\d{7}", record["id"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", record["date"])
    assert record["title"] in record["text"]
    assert not re.search(r"\{\w+\}|\[[^\]]*\|", record["text"]), "a template slot was left unfilled"
    assert len(record["text"]) > 500


def test_generated_articles_name_reference_provinces():
    material = generate.Material()
    names = {p.name for p in material.provinces_2021 + material.provinces_2025}
    for line in corpus_text(20).splitlines():
        record = json.loads(line)
        assert any(name in record["text"] for name in names)


@pytest.mark.parametrize(
    "values, q, expected",
    [([1.0], 50, 1.0), ([1.0, 2.0, 3.0], 50, 2.0), ([float(i) for i in range(1, 101)], 95, 95.05)],
)
def test_percentile(values, q, expected):
    assert measure.percentile(values, q) == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize("p50, limit", [
    (0.01, 20.0),  # fast query: the floor
    (1.0, 51.0),  # long enough that a stopped rdflib still shows 50×
    (4.4, 224.4),
    (10.0, 300.0),  # capped: then the bound stays under 50× and the row says so
])
def test_reference_time_limit(p50, limit):
    assert queries_bench.reference_time_limit(p50, floor=20.0, cap=300.0) == pytest.approx(limit)


def test_run_child_reports_peak_memory_of_the_child():
    code = "x = bytearray(200 * 2**20); import time; time.sleep(0.3)"
    run = measure.run_child([sys.executable, "-c", code])
    assert run.returncode == 0
    assert run.peak_rss > 200 * 2**20


def test_suite_runs_on_twenty_articles(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--sizes", "20", "--quick", "--jobs", "1", "--work", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    result = json.loads((tmp_path / "latest.json").read_text())
    benches = {row["bench"] for row in result["rows"]}
    assert {"extraction", "build"} <= benches
    assert "benchmark" in proc.stdout and "extraction" in proc.stdout
