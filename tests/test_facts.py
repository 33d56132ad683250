"""`dtkg facts`: one CSV per GOLD.md type, the header the scorer reads, written atomically."""
from __future__ import annotations

import csv
import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dtkg import facts, queries
from dtkg.cli import main
from fixture_graph import GOLD, build_folder, memory_store

SCORER = Path(__file__).resolve().parents[2] / "shared" / "eval" / "score.py"
GOLD_TYPES = ("post", "heads", "headed_by_post", "presides", "links", "operates", "ranking", "document",
              "meeting", "renamed")


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    return build_folder(tmp_path_factory.mktemp("build"))


def test_one_table_per_gold_type():
    assert set(facts.FACT_TABLES) == set(GOLD_TYPES)


@pytest.mark.parametrize("fact_type", GOLD_TYPES)
def test_query_columns_are_gold_fields_plus_doc(fact_type):
    name, _fields = facts.FACT_TABLES[fact_type]
    assert list(queries.load_query(name).columns) == facts.header(fact_type)


@pytest.mark.parametrize(("fact_type", "fields"), [
    ("post", ("person", "role", "org")),
    ("heads", ("person", "org")),
    ("headed_by_post", ("org", "post")),
    ("presides", ("person", "event", "date")),
    ("links", ("subject", "object", "status")),
    ("operates", ("org", "system")),
    ("ranking", ("entity", "index", "year", "rank", "score")),
    ("document", ("number", "kind", "date", "issuer")),
    ("meeting", ("event", "org", "date", "ordinal")),
    ("renamed", ("old", "new", "date")),
])
def test_header_matches_gold_md(fact_type, fields):
    assert facts.header(fact_type) == [*fields, "doc"]


def test_gold_md_fields_agree_with_the_tables():
    """The field lists above are GOLD.md's table; check them against the file when it is there."""
    gold_md = SCORER.parent / "GOLD.md"
    if not gold_md.exists():
        pytest.skip("../shared/eval/GOLD.md not present")
    for fact_type, (_name, fields) in facts.FACT_TABLES.items():
        line = re.search(rf"^\| `{fact_type}` \| ([^|]+) \|", gold_md.read_text(encoding="utf-8"), re.M)
        assert line, fact_type
        assert tuple(f.strip() for f in line.group(1).split(",")) == fields


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_write_facts(tmp_path):
    counts = facts.write_facts(None, tmp_path, store=memory_store())
    assert counts == {"heads": 4, "post": 5, "headed_by_post": 1, "presides": 1, "links": 2, "operates": 1,
                      "ranking": 2, "document": 2, "meeting": 1, "renamed": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t}.csv" for t in GOLD_TYPES)  # no temp files
    assert read(tmp_path / "ranking.csv") == [
        ["entity", "index", "year", "rank", "score", "doc"],
        ["Ninh Bình", "DTI", "2023", "12", "0.5123", "fixture_a"],
        ["Hà Nội", "DTI", "2023", "1", "", "fixture_b"],
    ]
    assert (tmp_path / "document.csv").read_bytes().decode("utf-8").splitlines()[2] == \
        "505/KH-UBQG,Kế hoạch,,Ủy ban Quốc gia về chuyển đổi số,fixture_b"


def test_rewrite_replaces_files(tmp_path):
    (tmp_path / "heads.csv").write_text("stale\n", encoding="utf-8")
    facts.write_facts(None, tmp_path, store=memory_store())
    assert read(tmp_path / "heads.csv")[0] == ["person", "org", "doc"]


def test_a_failing_query_writes_nothing(tmp_path, monkeypatch):
    """The last table's query fails (a syntax error): no table is written, not even the nine before."""
    def broken(name):
        query = real(name)
        return dataclasses.replace(query, text=query.text + " }") if name == "renamed" else query

    real = queries.load_query
    monkeypatch.setattr(queries, "load_query", broken)
    with pytest.raises(queries.QueryError, match="syntax"):
        facts.write_facts(None, tmp_path, store=memory_store())
    assert list(tmp_path.iterdir()) == []


def test_cli_facts_then_scorer(build, tmp_path, capsys):
    out = tmp_path / "facts"
    assert main(["facts", "--graph", str(build), "--out", str(out)]) == 0
    assert "heads.csv" in capsys.readouterr().out
    if not SCORER.exists():
        pytest.skip("../shared/eval/score.py not present")
    score = subprocess.run([sys.executable, str(SCORER), "--gold", str(GOLD), "--pred", str(out), "--json"],
                           capture_output=True, text=True, check=True)
    report = json.loads(score.stdout)
    assert report["overall"]["f1"] == 1.0
    assert report["overall"]["tp"] == sum(1 for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip())


def test_cli_facts_default_out_is_inside_the_build(tmp_path, capsys):
    (tmp_path / "b").mkdir()
    build = build_folder(tmp_path / "b")
    assert main(["facts", "--graph", str(build)]) == 0
    assert (build / "facts" / "heads.csv").read_text(encoding="utf-8").startswith("person,org,doc\n")
    assert f"to {build / 'facts'}" in capsys.readouterr().out


def test_cli_facts_without_store(tmp_path, capsys):
    assert main(["facts", "--graph", str(tmp_path / "none"), "--out", str(tmp_path / "f")]) == 2
    assert "run `dtkg build" in capsys.readouterr().err
