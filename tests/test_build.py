"""`dtkg build` end to end: outputs, summary, exit codes, incremental builds and atomicity."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from dtkg import atomic, store as st
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


@pytest.mark.parametrize("previous_from", ["trig", "store"])
def test_incremental_adds_and_replaces_without_duplicates(tmp_path, previous_from):
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
    if previous_from == "store":
        (out / "dtkg.trig").unlink()  # the kept graphs are then read back from the store
    summary = run_build(out, second, validate=False, incremental=True)
    assert summary.article_graphs == 4
    assert _graph_triples(out, files[1].stem) == kept
    assert _graph_triples(out, files[0].stem) == again
    full = tmp_path / "full"
    for f in files[:4]:
        shutil.copy(f, tmp_path / f.name)
    run_build(full, *[tmp_path / f.name for f in files[:4]], validate=False)
    lines = lambda path: sorted(path.read_text(encoding="utf-8").splitlines())  # noqa: E731
    assert lines(out / "dtkg.nt") == lines(full / "dtkg.nt")


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


def test_validation_in_chunks_gives_the_same_verdict(sample_build, monkeypatch):
    from dtkg import build as build_module

    store = st.open_read_only(sample_build[0] / "store")
    whole = build_module.validate_store(store, jobs=1)
    monkeypatch.setattr(build_module, "VALIDATION_CHUNK", 2)
    chunked = build_module.validate_store(store, jobs=1)
    assert (chunked.conforms, sorted(map(str, chunked.violations))) == (whole.conforms, sorted(map(str, whole.violations)))
    assert chunked.text == whole.text
