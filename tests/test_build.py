"""`dtkg build` end to end: outputs, summary, exit codes, incremental builds and atomicity."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from dtkg import atomic, store as st
from dtkg.export import write_dumps
from dtkg.results import Results
from dtkg.build import Options, Progress, build
from dtkg.cli import main
from dtkg.resources import sample_corpus

OUTPUTS = ("dtkg.trig", "dtkg.ttl", "dtkg.nt", "dtkg.trig.sha256", "dtkg.ttl.sha256", "dtkg.nt.sha256",
           "void.ttl", "build.json", "rejected.jsonl")


def run_build(out: Path, *sources, **kw):
    options = Options(sources=[str(s) for s in sources], out=out, **kw)
    return build(options, Progress(quiet=True))


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file under `out` (the store included) with its bytes."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("build") / "out"
    summary = run_build(out)
    return out, summary


def test_sample_build_writes_everything(sample_build):
    out, summary = sample_build
    assert summary.status == "built" and summary.articles_built == 5 and not summary.rejected
    for name in OUTPUTS:
        assert (out / name).is_file(), name
    report = json.loads((out / "build.json").read_text(encoding="utf-8"))
    assert report["articles"] == {"read": 5, "built": 5, "rejected": 0, "graphs_in_store": 5}
    assert report["triples"]["total"] == sum(report["triples"][k] for k in
                                             ("ontology", "reference", "inferred", "dataset", "articles"))
    assert set(report["seconds"]) >= {"articles", "reasoning", "dumps", "total"}
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging or temp left


def test_sample_store_has_every_graph(sample_build):
    out, summary = sample_build
    store = st.open_read_only(out / "store")
    graphs = {g.value for g in store.named_graphs()}
    assert sum(1 for g in graphs if g.startswith(st.ARTICLE_PREFIX)) == 5
    assert {st.REFERENCE.value, st.DATASET.value} <= graphs
    assert len(store) == summary.triples["total"]
    assert not any(isinstance(t, ox.BlankNode) for q in store for t in (q.subject, q.object))
    if summary.facts:  # the extractor is present: facts are in article graphs with evidence
        rows = list(st.query(store, "SELECT ?f WHERE { ?f <https://w3id.org/dtkg/ontology#evidence> ?e } LIMIT 1"))
        assert rows


def test_checksums_match(sample_build):
    out, _ = sample_build
    for name in ("dtkg.trig", "dtkg.ttl", "dtkg.nt"):
        digest, file_name = (out / f"{name}.sha256").read_text().split()
        assert file_name == name and digest == atomic.sha256_file(out / name)


def test_exit_codes_and_rejections(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(next(sample_corpus().glob("*.txt")), src / "good.txt")
    (src / "empty.txt").write_bytes(b"")
    (src / "bin.txt").write_bytes(b"\x00\x01\x02" * 100)
    out = tmp_path / "out"
    assert main(["build", str(src), "--out", str(out), "--no-validate", "--quiet"]) == 1
    rejected = [json.loads(line) for line in (out / "rejected.jsonl").read_text().splitlines()]
    assert sorted(Path(r["source"]).name for r in rejected) == ["bin.txt", "empty.txt"]
    assert main(["build", str(src / "good.txt"), "--out", str(out), "--no-validate", "--quiet"]) == 0


def test_nothing_readable_exits_2_and_keeps_previous_output(tmp_path, sample_build):
    out = tmp_path / "out"
    shutil.copytree(sample_build[0], out)
    before = snapshot(out)
    (tmp_path / "empty.txt").write_bytes(b"")
    assert main(["build", str(tmp_path / "empty.txt"), "--out", str(out), "--quiet"]) == 2
    after = snapshot(out)
    assert json.loads(after.pop("build.json"))["status"] == "nothing built"
    before.pop("build.json")
    assert after == before


def test_usage_error_no_traceback(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["build", "--out", str(tmp_path / "file")]) == 2
    assert "Traceback" not in capsys.readouterr().err


def _graph_triples(out: Path, doc: str) -> set:
    store = st.open_read_only(out / "store")
    graph = ox.NamedNode(f"{st.ARTICLE_PREFIX}{doc}")
    return {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph)}


def _store_state(out: Path) -> dict[str, list[str]]:
    """Each graph of the store (the dataset description left out) as sorted N-Triples lines."""
    store = st.open_read_only(out / "store")
    graphs: dict[str, list[str]] = {}
    for q in store:
        if q.graph_name != st.DATASET:
            graphs.setdefault(q.graph_name.value, []).append(f"{q.subject} {q.predicate} {q.object}")
    return {g: sorted(lines) for g, lines in graphs.items()}


def test_incremental_adds_and_replaces_without_duplicates(tmp_path):
    files = sorted(sample_corpus().glob("*.txt"))
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    for f in files[:3]:
        shutil.copy(f, first / f.name)
    shutil.copy(files[3], second / files[3].name)
    shutil.copy(files[0], second / files[0].name)  # read again: replaced, not duplicated
    out = tmp_path / "out"
    run_build(out, first, validate=False)
    kept = _graph_triples(out, files[1].stem)
    again = _graph_triples(out, files[0].stem)
    summary = run_build(out, second, validate=False, incremental=True)
    assert summary.status == "built" and summary.article_graphs == 4
    assert _graph_triples(out, files[1].stem) == kept
    assert _graph_triples(out, files[0].stem) == again
    assert not (out / "dtkg.nt").exists() and "dtkg dump" in " ".join(summary.notes)  # stale dumps are gone
    assert write_dumps(out, Progress(quiet=True)).status == "built"
    full = tmp_path / "full"
    for f in files[:4]:
        shutil.copy(f, tmp_path / f.name)
    run_build(full, *[tmp_path / f.name for f in files[:4]], validate=False)
    lines = lambda path: sorted(path.read_text(encoding="utf-8").splitlines())  # noqa: E731
    assert lines(out / "dtkg.nt") == lines(full / "dtkg.nt")
    assert _store_state(out) == _store_state(full)


def undated(text: str) -> str:
    """An article's text with its dates taken out (its facts then get SHACL warnings)."""
    return re.sub(r"\b\d{1,2}/\d{1,2}(/\d{2,4})?\b|\bngày \d+|\bnăm \d{4}|\b20\d\d\b", "", text)


def jsonl(path: Path, records: dict[str, str]) -> Path:
    path.write_text("".join(json.dumps({"id": k, "text": v}, ensure_ascii=False) + "\n" for k, v in records.items()),
                    encoding="utf-8")
    return path


def test_incremental_replacement_with_new_text_equals_a_fresh_build(tmp_path):
    """Articles whose text changed: what only their old versions supported (facts, inferences,
    SHACL results) goes; store and SHACL results equal a fresh build of the new versions."""
    t = [f.read_text(encoding="utf-8") for f in sorted(sample_corpus().glob("*.txt"))]
    old = jsonl(tmp_path / "old.jsonl", {"a": t[0], "b": t[1], "u": undated(t[2])})
    new = jsonl(tmp_path / "new.jsonl", {"a": t[4], "u": t[3], "c": undated(t[2])})
    both = jsonl(tmp_path / "both.jsonl", {"b": t[1], "a": t[4], "u": t[3], "c": undated(t[2])})
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert run_build(out, old).shacl["warnings"] > 0
    assert run_build(out, new, incremental=True).status == "built"
    assert run_build(fresh, both).status == "built"
    assert _store_state(out) == _store_state(fresh)
    for name in ("validation.jsonl", "validation.txt"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes()
    counts = [json.loads((o / "build.json").read_text(encoding="utf-8"))["triples"] for o in (out, fresh)]
    assert "merged" not in counts[0]  # (an incremental build writes no merged dump)
    same = ("articles", "ontology", "reference", "inferred")  # (the dataset description lists no dumps)
    assert {k: counts[0][k] for k in same} == {k: counts[1][k] for k in same}


def test_atomic_write_crash_leaves_previous_file(tmp_path):
    target = tmp_path / "f.txt"
    atomic.write_text(target, "old")
    with pytest.raises(RuntimeError):
        with atomic.open_atomic(target) as fh:
            fh.write(b"new, half written")
            raise RuntimeError("crash")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_interrupted_store_swap_is_recovered(tmp_path):
    out = tmp_path / "out"
    (out / "store").mkdir(parents=True)
    (out / "store" / "marker").write_text("previous")
    os.replace(out / "store", out / ("store" + atomic.OLD_SUFFIX))  # killed between the two renames
    atomic.clean_stale(out)
    assert (out / "store" / "marker").read_text() == "previous"


def _wait_for(predicate, timeout=60.0):
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("delay_env", ["DTKG_TEST_WRITE_DELAY"])
def test_killed_build_leaves_previous_output_intact(tmp_path, sample_build, delay_env):
    out = tmp_path / "out"
    shutil.copytree(sample_build[0], out)
    before = snapshot(out)
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(next(sample_corpus().glob("*.txt")), src / "other.txt")
    env = {**os.environ, delay_env: "30"}
    proc = subprocess.Popen([sys.executable, "-m", "dtkg.cli", "build", str(src), "--out", str(out),
                             "--no-validate", "--quiet"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        staged = lambda: any((d / "dtkg.trig").exists() and (d / "build.json").exists()  # noqa: E731
                             for d in out.glob(atomic.STAGING_PREFIX + "*"))
        assert _wait_for(staged), "the build never reached its commit"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    after = {k: v for k, v in snapshot(out).items() if not k.startswith(atomic.STAGING_PREFIX)}
    assert after == before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    summary = run_build(out, src, validate=False)  # the next build cleans up and succeeds
    assert summary.status == "built" and not list(out.glob(atomic.STAGING_PREFIX + "*"))


def test_streamed_inferences_equal_store_wide_reasoning(sample_build):
    """Each worker closes its own article; together that is the closure of the whole store."""
    from dtkg import reason

    store = st.open_read_only(sample_build[0] / "store")
    asserted = ox.Store()
    asserted.extend(q for q in store if q.graph_name not in (st.INFERRED, st.DATASET))
    expected = reason.infer(asserted)
    got = {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, st.INFERRED)}
    assert got == expected and got


def test_commit_killed_after_its_journal_is_rolled_forward(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for name in ("a.txt", "b.txt"):
        (out / name).write_text("old")
    (out / "store").mkdir()
    (out / "store" / "marker").write_text("old")
    staging = atomic.Staging(out)
    for name in ("a.txt", "b.txt"):
        staging.write_bytes(name, b"new")
    staging.add_folder("store").mkdir()
    (staging.path("store") / "marker").write_text("new")
    journal = {"staging": staging.dir.name, "files": staging.files, "folders": staging.folders}
    (out / atomic.JOURNAL).write_text(json.dumps(journal))
    os.replace(staging.path("a.txt"), out / "a.txt")  # killed after the first rename
    atomic.clean_stale(out)
    assert [(out / n).read_text() for n in ("a.txt", "b.txt", "store/marker")] == ["new"] * 3
    assert sorted(p.name for p in out.iterdir()) == ["a.txt", "b.txt", "store"]


def test_half_written_journal_means_no_commit(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").write_text("old")
    staging = atomic.Staging(out)
    staging.write_bytes("a.txt", b"new")
    (out / atomic.JOURNAL).write_text('{"staging": "')  # killed while writing it
    atomic.clean_stale(out)
    assert (out / "a.txt").read_text() == "old"
    assert [p.name for p in out.iterdir()] == ["a.txt"]


def test_one_build_at_a_time(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with atomic.locked(out) as free:
        assert free
        summary = run_build(out, validate=False)
        assert summary.status == "failed" and "another dtkg build" in summary.error
        atomic.clean_stale(out)  # a reader does not touch a folder a build is writing
    assert not (out / "build.json").exists()


def test_validating_the_store_again_gives_the_build_verdict(tmp_path, monkeypatch):
    """The results the workers found while building equal a check of the store read back, in
    one process or two, in chunks of any size."""
    from dtkg import build as build_module

    texts = {f.stem: undated(f.read_text(encoding="utf-8")) for f in sorted(sample_corpus().glob("*.txt"))[:3]}
    out = tmp_path / "out"
    assert run_build(out, jsonl(tmp_path / "undated.jsonl", texts)).shacl["warnings"] > 0
    store = st.open_read_only(out / "store")
    built = Results.read(out / "validation.jsonl")
    for jobs, chunk in ((1, 32), (2, 2)):
        monkeypatch.setattr(build_module, "CHUNK", chunk)
        again = build_module.validate_store(store, jobs=jobs)
        assert again.by_graph == built.by_graph
        assert build_module.verdict(again).text == (out / "validation.txt").read_text(encoding="utf-8")


def test_dump_command_writes_the_dumps_of_an_incremental_build(tmp_path, capsys):
    files = sorted(sample_corpus().glob("*.txt"))
    out = tmp_path / "out"
    assert run_build(out, files[0], validate=False).status == "built"
    assert run_build(out, files[1], validate=False, incremental=True).status == "built"
    assert not (out / "dtkg.trig").exists()
    void_before = (out / "void.ttl").read_text(encoding="utf-8")
    assert "dcat:Distribution" not in void_before  # no dump described while there is none
    assert main(["dump", "--graph", str(out), "--quiet"]) == 0
    assert "2 article graphs" in capsys.readouterr().out
    for name in ("dtkg.trig", "dtkg.ttl", "dtkg.nt"):
        expected = (out / f"{name}.sha256").read_text(encoding="utf-8").split()[0]
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == expected
    assert "dcat:Distribution" in (out / "void.ttl").read_text(encoding="utf-8")
    assert "dtkg dump" not in " ".join(json.loads((out / "build.json").read_text(encoding="utf-8"))["notes"])
    assert main(["dump", "--graph", str(tmp_path / "nothing"), "--quiet"]) == 2
    assert "no dtkg store" in capsys.readouterr().err
