"""Faults lose nothing: a build killed at any point of writing leaves a whole output behind,
rebuilding touches only what changed, and reading an article twice does not double it.

A build is killed with SIGKILL in a subprocess at a chosen point (no test hook needed: the
subprocess wraps `os.replace` or the dump writer and kills itself there). After the kill,
every file at a final path must be byte-identical to its previous or its new version (never
half written); once the output is recovered — what the next build, `dtkg query` or `dtkg
serve` does first (`dtkg.atomic.clean_stale`) — the output must be entirely the previous
build or entirely the new one. (tests/test_build.py kills a build during the commit's fsync
delay, `DTKG_TEST_WRITE_DELAY`; the publish faults are in tests/test_publish.py.)
"""
from __future__ import annotations

import hashlib
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from dtkg import atomic, queries, store as st
from dtkg.build import Options, Progress, build
from dtkg.cli import main
from dtkg.export import write_dumps
from dtkg.resources import sample_corpus

SAMPLE = sorted(sample_corpus().glob("*.txt"))
FLAGS = ["--quiet", "--no-validate"]

# Runs `dtkg build` and SIGKILLs itself at the N-th call of the chosen function.
KILLER = r"""
import os, signal, sys
import dtkg.atomic, dtkg.dump
point, n, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
calls = 0

def wrap(real):
    def wrapped(*args, **kwargs):
        global calls
        calls += 1
        if calls == n:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return wrapped

if point == "replace":  # just before the n-th rename into a final path (the commit)
    dtkg.atomic.os.replace = wrap(os.replace)
elif point == "dump":  # while the dumps are being written: after n-1 articles
    dtkg.dump.DumpWriter.article = wrap(dtkg.dump.DumpWriter.article)
from dtkg.cli import main
sys.exit(main(argv))
"""


def corpus(folder: Path, files: list[Path]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copy(f, folder / f.name)
    return folder


def store_digest(path: Path) -> str:
    """A digest of the store's quads (its files are not byte-stable, its content is)."""
    store = ox.Store.read_only(str(path))
    lines = sorted(f"{q}" for q in store)
    del store
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def state(out: Path) -> dict[str, bytes | str]:
    """What a reader sees at the final paths: each top-level file, build.json without timings, the store."""
    files: dict[str, bytes | str] = {}
    for p in sorted(out.iterdir()):
        if p.is_file() and not p.name.startswith("."):
            data = p.read_bytes()
            if p.name == "build.json":
                report = json.loads(data)
                report.pop("seconds")
                data = json.dumps(report, sort_keys=True).encode()
            files[p.name] = data
    if (out / "store").is_dir():
        files["store/"] = store_digest(out / "store")
    return files


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """(old source, new source, old output, state of old, state of new): new = old + one article."""
    root = tmp_path_factory.mktemp("faults")
    old_src = corpus(root / "old-src", SAMPLE[:2])
    new_src = corpus(root / "new-src", SAMPLE[:3])
    for name, src in (("old", old_src), ("new", new_src)):
        summary = build(Options(sources=[str(src)], out=root / name, validate=False), Progress(quiet=True))
        assert summary.status == "built"
    return old_src, new_src, root / "old", state(root / "old"), state(root / "new")


def kill_build(point: str, n: int, src: Path, out: Path) -> int:
    run = subprocess.run([sys.executable, "-c", KILLER, point, str(n), "build", str(src), "--out", str(out), *FLAGS],
                         capture_output=True, text=True, timeout=300)
    return run.returncode


RENAMES = 11  # files of the commit (9 with --no-validate) + the two renames of the store swap
KILL_POINTS = [("dump", 2)] + [("replace", k) for k in (1, 2, 3, 6, 9, 10, 11)]


@pytest.mark.parametrize(("point", "n"), KILL_POINTS, ids=[f"{p}-{n}" for p, n in KILL_POINTS])
def test_killed_build_leaves_a_whole_output(tmp_path, outputs, capsys, point, n):
    _old_src, new_src, old_out, old, new = outputs
    out = tmp_path / "out"
    shutil.copytree(old_out, out)
    assert kill_build(point, n, new_src, out) == -signal.SIGKILL
    seen = {k: v for k, v in state(out).items() if k != "store/"}
    for name, data in seen.items():  # no partial file at a final path
        assert data in (old.get(name), new.get(name)), f"{name} is neither the previous nor the new version"
    assert main(["query", "who-chairs-what", "--graph", str(out), "--format", "csv"]) == 0, capsys.readouterr().err
    atomic.clean_stale(out)  # what every next build does first
    after = state(out)
    assert after in (old, new), sorted(k for k in after if after.get(k) != old.get(k))
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".") or p.name.endswith(atomic.OLD_SUFFIX)]
    assert leftovers == []


DUMP_KILL_POINTS = [("dump", 2), ("replace", 1), ("replace", 5), ("replace", 9)]


@pytest.mark.parametrize(("point", "n"), DUMP_KILL_POINTS, ids=[f"{p}-{n}" for p, n in DUMP_KILL_POINTS])
def test_killed_dump_leaves_a_whole_output(tmp_path, outputs, point, n):
    """`dtkg dump` after an incremental build, killed while writing or committing: the output
    is the one before it, or (rolled forward) the one a finished dump gives."""
    _old_src, _new_src, old_out, _old, _new = outputs
    out = tmp_path / "out"
    shutil.copytree(old_out, out)
    added = corpus(tmp_path / "added", SAMPLE[2:3])
    assert build(Options(sources=[str(added)], out=out, validate=False, incremental=True),
                 Progress(quiet=True)).status == "built"
    before = state(out)
    done = tmp_path / "done"
    shutil.copytree(out, done)
    assert write_dumps(done, Progress(quiet=True)).status == "built"
    after = state(done)
    run = subprocess.run([sys.executable, "-c", KILLER, point, str(n), "dump", "--graph", str(out), "--quiet"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == -signal.SIGKILL, run.stderr
    atomic.clean_stale(out)
    # killed while writing: nothing changed; during the commit (after its journal): rolled forward
    assert state(out) == (before if point == "dump" else after)


def test_serve_after_a_build_killed_during_the_store_swap(tmp_path, outputs):
    """`dtkg serve` right after the kill (no build in between) serves the new build."""
    import time
    import urllib.request

    from dtkg.serve import free_port

    _old_src, new_src, old_out, _old, _new = outputs
    out = tmp_path / "out"
    shutil.copytree(old_out, out)
    assert kill_build("replace", RENAMES, new_src, out) == -signal.SIGKILL
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "dtkg.cli", "serve", "--graph", str(out), "--bind",
                             f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(200):
            assert proc.poll() is None, proc.stderr.read().decode()
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        rows = queries.run_text("SELECT ?g WHERE { GRAPH ?g {} }", endpoint=f"http://127.0.0.1:{port}/query").rows
        assert f"{st.ARTICLE_PREFIX}{SAMPLE[2].stem}" in {str(r[0]) for r in rows}
    finally:
        proc.terminate()
        proc.wait(10)


def test_the_kill_points_cover_the_whole_commit(tmp_path, outputs):
    """Control: the build renames exactly RENAMES times, so the last kill point is its last rename."""
    _old_src, new_src, old_out, _old, new = outputs
    out = tmp_path / "out"
    shutil.copytree(old_out, out)
    assert kill_build("replace", RENAMES + 1, new_src, out) == 0
    assert state(out) == new


# ---------------------------------------------------------------- rebuilding

def graphs(out: Path) -> dict[str, str]:
    """Named graph IRI -> digest of its sorted triples."""
    store = st.open_read_only(out / "store")
    found: dict[str, list[str]] = {}
    for q in store:
        found.setdefault(q.graph_name.value, []).append(f"{q.subject} {q.predicate} {q.object}")
    return {g: hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest() for g, lines in found.items()}


def dump_content(out: Path) -> dict[str, list[str]]:
    """Each dump as its sorted statements (an incremental build may write them in another order)."""
    formats = {"dtkg.nt": ox.RdfFormat.N_TRIPLES, "dtkg.ttl": ox.RdfFormat.TURTLE, "dtkg.trig": ox.RdfFormat.TRIG}
    return {name: sorted(str(q) for q in ox.parse(path=str(out / name), format=fmt) if q.graph_name != st.DATASET)
            for name, fmt in formats.items()}  # (the dataset description states dump sizes and checksums)


VOID = "http://rdfs.org/ns/void#"
COUNTS = f"""SELECT ?s ?p ?n WHERE {{ GRAPH <{st.DATASET.value}> {{ ?s ?p ?n
  FILTER(?p IN (<{VOID}triples>, <{VOID}entities>, <{VOID}distinctSubjects>, <{VOID}properties>)) }} }}"""


def void_counts(out: Path) -> set[tuple[str, str, str]]:
    """The counts the dataset description states (they must not depend on how the store was built)."""
    store = st.open_read_only(out / "store")
    return {(str(r["s"]), str(r["p"]), str(r["n"])) for r in store.query(COUNTS)}


def test_adding_one_article_changes_only_its_graph_and_the_merged_dumps(tmp_path, outputs):
    _old_src, new_src, old_out, _old, _new = outputs
    out = tmp_path / "out"
    shutil.copytree(old_out, out)
    before = graphs(out)
    added = corpus(tmp_path / "added", SAMPLE[2:3])
    summary = build(Options(sources=[str(added)], out=out, validate=False, incremental=True), Progress(quiet=True))
    assert summary.status == "built" and summary.articles_built == 1
    assert write_dumps(out, Progress(quiet=True)).status == "built"  # an incremental build writes no dumps
    after = graphs(out)
    article = f"{st.ARTICLE_PREFIX}{SAMPLE[2].stem}"
    changed = {g for g in after if before.get(g) != after[g]}
    assert article in changed and article not in before
    assert changed <= {article, st.INFERRED.value, st.DATASET.value}, changed
    assert set(before) <= set(after)
    fresh = old_out.parent / "new"  # a fresh build of the old articles and the new one
    assert {g: d for g, d in after.items() if g != st.DATASET.value} == \
        {g: d for g, d in graphs(fresh).items() if g != st.DATASET.value}
    assert dump_content(out) == dump_content(fresh)
    assert void_counts(out) == void_counts(fresh)


def single(tmp_path: Path) -> dict[str, str]:
    out = tmp_path / "single"
    build(Options(sources=[str(SAMPLE[0])], out=out, validate=False), Progress(quiet=True))
    return graphs(out)


def jsonl_copy(path: Path, dest: Path) -> Path:
    record = {"id": path.stem, "text": path.read_text(encoding="utf-8")}
    dest.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return dest


TWICE = [  # how the same article is read twice; how many rejections that gives
    ("same file twice", lambda p, t: [p, p], 1),
    ("file and a copy in a subfolder", lambda p, t: [corpus(t / "a", [p]), corpus(t / "b", [p])], 1),
    ("file and the same record in JSON Lines", lambda p, t: [p, jsonl_copy(p, t / "c.jsonl")], 1),
]


@pytest.mark.parametrize(("how", "sources", "rejected"), TWICE, ids=[t[0] for t in TWICE])
def test_reading_an_article_twice_does_not_duplicate_facts(tmp_path, how, sources, rejected):
    out = tmp_path / "out"
    summary = build(Options(sources=[str(s) for s in sources(SAMPLE[0], tmp_path)], out=out, validate=False),
                    Progress(quiet=True))
    assert summary.articles_built == 1 and len(summary.rejected) == rejected
    assert "duplicate id" in summary.rejected[0].reason
    assert graphs(out) == single(tmp_path)


def test_rebuilding_incrementally_with_the_same_article_changes_nothing(tmp_path):
    out = tmp_path / "out"
    build(Options(sources=[str(SAMPLE[0])], out=out, validate=False), Progress(quiet=True))
    first, counts, dumps = graphs(out), void_counts(out), dump_content(out)
    for _ in range(2):
        build(Options(sources=[str(SAMPLE[0])], out=out, validate=False, incremental=True), Progress(quiet=True))
    assert write_dumps(out, Progress(quiet=True)).status == "built"
    assert {g: d for g, d in graphs(out).items() if g != st.DATASET.value} == \
        {g: d for g, d in first.items() if g != st.DATASET.value}
    assert dump_content(out) == dumps
    assert void_counts(out) == counts


# ---------------------------------------------------------------- publishing (more in tests/test_publish.py)


def fixture_build(out: Path, drop: str | None = None) -> Path:
    """A build folder holding the fixture graphs (minus graph `drop`)."""
    import gc

    from fixture_graph import TRIG

    (out / "store").mkdir(parents=True)
    store = ox.Store(str(out / "store"))
    store.load(path=str(TRIG), format=ox.RdfFormat.TRIG)
    if drop:
        store.remove_graph(ox.NamedNode(drop))
    store.flush()
    del store
    gc.collect()
    return out


def remote_graphs(base: str) -> dict[str, int]:
    result = queries.run_text("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                              endpoint=base + "/query")
    return {str(r[0]): int(r[1]) for r in result.rows}


def local_graphs(out: Path) -> dict[str, int]:
    store = ox.Store.read_only(str(out / "store"))
    return {r["g"].value: int(r["n"].value)
            for r in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}


PUBLISH_KILLER = r"""
import os, signal, sys
import dtkg.publish
point, n, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
real, calls = dtkg.publish.put_graph, [0]
def put_graph(*args, **kwargs):
    calls[0] += 1
    if calls[0] == n:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)
dtkg.publish.put_graph = put_graph
from dtkg.cli import main
sys.exit(main(argv))
"""


def test_publish_killed_halfway_then_run_again_leaves_one_copy(tmp_path, oxigraph):
    build_dir = fixture_build(tmp_path / "build")
    argv = ["publish", "--graph", str(build_dir), "--to", oxigraph + "/store", "--backoff", "0.05"]
    run = subprocess.run([sys.executable, "-c", PUBLISH_KILLER, "put", "3", *argv], capture_output=True, timeout=120)
    assert run.returncode == -signal.SIGKILL
    assert 0 < len(remote_graphs(oxigraph)) < len(local_graphs(build_dir))
    assert main(argv) == 0
    assert remote_graphs(oxigraph) == local_graphs(build_dir)


def test_republishing_a_smaller_build_leaves_no_stale_graph_unreported(tmp_path, oxigraph, capsys):
    """An article dropped from the build must not silently stay on the server."""
    full = fixture_build(tmp_path / "full")
    dropped = sorted(g for g in local_graphs(full) if g.startswith(st.ARTICLE_PREFIX))[-1]
    smaller = fixture_build(tmp_path / "smaller", drop=dropped)
    assert main(["publish", "--graph", str(full), "--to", oxigraph + "/store", "--backoff", "0.05"]) == 0
    code = main(["publish", "--graph", str(smaller), "--to", oxigraph + "/store", "--backoff", "0.05"])
    err = capsys.readouterr().err
    remote = remote_graphs(oxigraph)
    if dropped in remote:  # kept on the server: then the publish must say so and fail
        assert code != 0 and dropped in err, "a stale article graph stayed on the server without a word"
    else:
        assert code == 0 and remote == local_graphs(smaller)
