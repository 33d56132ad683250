"""The pipeline benchmarks: corpora, extraction throughput, full builds, incremental add."""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Iterator

import generate
from measure import Row, du, human_bytes, run_child, timed

ROOT = Path(__file__).resolve().parent.parent
MIN_PER_CORE = 500  # target: articles per second per core
DUMP_AFTER_INCREMENTAL_MAX = 20_000  # `dtkg dump` after the incremental add: minutes at 100k, so only below this


def corpus(work: Path, n: int, seed: int = 1) -> Path:
    """The generated corpus of `n` articles in `work`, written once and reused."""
    path = work / f"corpus-{n}-s{seed}.jsonl"
    if not path.exists():
        tmp = path.with_suffix(".part")
        with open(tmp, "w", encoding="utf-8") as out:
            generate.write_corpus(out, n, seed)
        tmp.rename(path)
    return path


def read_articles(path: Path, limit: int | None = None) -> Iterator["object"]:
    """Stream `dtkg.model.Article`s from a generated JSON Lines corpus."""
    from dtkg.model import Article

    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if limit is not None and number >= limit:
                return
            r = json.loads(line)
            yield Article(id=r["id"], text=r["text"], url=r.get("url"), title=r.get("title"),
                          date=dt.date.fromisoformat(r["date"]) if r.get("date") else None,
                          source=f"{path.name}:{number + 1}")


def bench_extraction(path: Path, limit: int) -> list[Row]:
    """Single-process throughput of `prepare` + `extract_all` on the first `limit` articles."""
    from dtkg.extract import extract_all
    from dtkg.text import prepare

    articles = list(read_articles(path, limit))
    size_mb = sum(len(a.text.encode("utf-8")) for a in articles) / 1e6
    warm = timed(lambda: extract_all(prepare(articles[0])))  # loads the lexicon once per process
    prep = timed(lambda: [prepare(a) for a in articles])
    facts = timed(lambda: [extract_all(d) for d in prep.value])
    seconds = prep.seconds + facts.seconds
    cpu = prep.cpu + facts.cpu
    n_facts = sum(len(f) for f in facts.value)
    rate, cpu_rate = len(articles) / seconds, len(articles) / cpu
    label = f"{len(articles)} art"
    return [
        Row("extraction", label, "throughput (1 process, wall clock)", round(rate), "articles/s"),
        Row("extraction", label, "throughput per CPU-second (1 core)", round(cpu_rate), "articles/s",
            f">= {MIN_PER_CORE}", cpu_rate >= MIN_PER_CORE),
        Row("extraction", label, "throughput per CPU-second (1 core)", round(size_mb / cpu, 2), "MB/s"),
        Row("extraction", label, "share of time in prepare()", round(100 * prep.seconds / seconds), "%"),
        Row("extraction", label, "first article (lexicon load, once per process)", round(warm.seconds, 2), "s"),
        Row("extraction", label, "facts per article", round(n_facts / len(articles), 1), "facts",
            "> 0", n_facts > 0),
    ]


def dtkg_cmd() -> list[str]:
    """The dtkg command of this interpreter's environment."""
    exe = Path(sys.executable).with_name("dtkg")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "dtkg.cli"]


def build(path: Path, out: Path, jobs: int | None, extra: list[str] | None = None, timeout: float | None = None):
    """Run a full `dtkg build` of corpus `path` into `out` as a child process."""
    if out.exists():
        shutil.rmtree(out)
    cmd = [*dtkg_cmd(), "build", str(path), "--out", str(out), *(extra or [])]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    run = run_child(cmd, cwd=ROOT, timeout=timeout)
    if run.returncode == -9 and timeout is not None:
        progress = [line.strip() for line in run.stderr.splitlines() if "articles" in line]
        raise TimeoutError(f"dtkg build stopped after {timeout:.0f} s; last progress: {progress[-1:] or '-'}")
    if run.returncode not in (0, 1):  # 1: built, but validation found a problem
        raise RuntimeError(f"dtkg build failed ({run.returncode}): {run.stderr[-2000:]}")
    return run


def count_triples(store_dir: Path) -> int:
    """Number of quads in a built store (opened read-only)."""
    import pyoxigraph

    store = pyoxigraph.Store.read_only(str(store_dir))
    return len(store)


def reused_build(n: int, work: Path) -> tuple[list[Row], dict] | None:
    """The rows and figures a previous run recorded for the build of `n` articles, if it is still there."""
    record = work / f"build-{n}.bench.json"
    if not (record.exists() and (work / f"build-{n}" / "store").is_dir()):
        return None
    data = json.loads(record.read_text(encoding="utf-8"))
    rows = [Row(**r) for r in data["rows"]]
    for r in rows:
        r.note = (r.note + " " if r.note else "") + f"(measured {data['when']})"
    return rows, data["figures"]


def bench_build(path: Path, n: int, work: Path, jobs: int | None, timeout: float | None,
                reuse: bool = False) -> tuple[list[Row], dict]:
    """Full build time, peak memory and store size at one size; returns rows and raw figures.

    With `reuse`, a build this suite measured before (OUT and its `build-N.bench.json`) is
    taken as it is instead of being rebuilt.
    """
    if reuse and (previous := reused_build(n, work)):
        return previous
    out = work / f"build-{n}"
    run = build(path, out, jobs, timeout=timeout)
    store = out / "store"
    triples = count_triples(store) if store.exists() else 0
    label = f"{n} art"
    rows = [
        Row("build", label, "wall time", round(run.seconds, 1), "s",
            "< 600 s" if n >= 100_000 else "", run.seconds < 600 if n >= 100_000 else None),
        Row("build", label, "CPU time (user+sys, all processes)", round(run.cpu, 1), "s"),
        Row("build", label, "time per 1k articles", round(1000 * run.seconds / n, 2), "s"),
        Row("build", label, "peak memory (process tree)", human_bytes(run.peak_rss), "",
            "< 4 GiB", run.peak_rss < 4 * 2**30),
        Row("build", label, "quads in store", triples, "quads"),
        Row("build", label, "store size on disk", human_bytes(du(store)) if store.exists() else "-", ""),
        Row("build", label, "output folder size", human_bytes(du(out)), ""),
    ]
    summary = json.loads((out / "build.json").read_text(encoding="utf-8")) if (out / "build.json").exists() else {}
    for stage, seconds in summary.get("seconds", {}).items():
        if stage != "total":
            rows.append(Row("build", label, f"  stage {stage}", round(seconds, 1), "s"))
    if run.returncode == 1:
        rows.append(Row("build", label, "exit code", 1, "", "0", False, run.stderr[-300:].strip()))
    figures = {"n": n, "seconds": run.seconds, "cpu": run.cpu, "peak_rss": run.peak_rss, "triples": triples,
               "out": str(out)}
    record = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "figures": figures,
              "rows": [r.as_dict() for r in rows]}
    (work / f"build-{n}.bench.json").write_text(json.dumps(record, ensure_ascii=False, indent=1))
    return rows, figures


def linear_rows(figures: list[dict]) -> list[Row]:
    """Growth check between consecutive sizes: time per article, big / small, and the same
    growth per doubling of the corpus (target: 2× articles ≤ 2.1× time, i.e. ≤ 1.05 per doubling)."""
    rows = []
    figures = sorted(figures, key=lambda f: f["n"])
    for small, big in zip(figures, figures[1:]):
        doublings = math.log2(big["n"] / small["n"])
        for what, key in (("wall", "seconds"), ("CPU", "cpu")):
            if not (big.get(key) and small.get(key)):
                continue
            ratio = (big[key] / big["n"]) / (small[key] / small["n"])
            per_doubling = ratio ** (1 / doublings)
            rows.append(Row("build", f"{small['n']}→{big['n']}", f"{what} time per article, big / small",
                            round(ratio, 2), "×", note=f"{doublings:.1f} doublings"))
            rows.append(Row("build", f"{small['n']}→{big['n']}", f"{what} time growth per doubling of the corpus",
                            round(per_doubling, 3), "×", "<= 1.05 (2× art ≤ 2.1× time)", per_doubling <= 1.05))
    return rows


def bench_incremental(built: Path, work: Path, seed: int, n_total: int) -> list[Row]:
    """Add 10 new articles to a copy of a built graph with `dtkg build --incremental`, then write
    its dumps with `dtkg dump`, each timed as a child process."""
    extra = work / "corpus-add-10.jsonl"
    with open(extra, "w", encoding="utf-8") as out:
        generate.write_corpus(out, 10, seed, start=n_total)  # articles the build has not seen
    copy = work / f"incremental-{n_total}"
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(built, copy, copy_function=os.link)  # hard links: the build itself stays as it is
    before = count_triples(copy / "store")
    run = run_child([*dtkg_cmd(), "build", str(extra), "--out", str(copy), "--incremental", "--quiet"], cwd=ROOT)
    if run.returncode not in (0, 1):
        raise RuntimeError(f"dtkg build --incremental failed ({run.returncode}): {run.stderr[-2000:]}")
    after = count_triples(copy / "store")
    dumped = None
    if n_total <= DUMP_AFTER_INCREMENTAL_MAX:
        dumped = run_child([*dtkg_cmd(), "dump", "--graph", str(copy), "--quiet"], cwd=ROOT)
        if dumped.returncode != 0:
            raise RuntimeError(f"dtkg dump failed ({dumped.returncode}): {dumped.stderr[-2000:]}")
    seconds = json.loads((copy / "build.json").read_text(encoding="utf-8")).get("seconds", {})
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items() if k != "total")
    label = f"+10 to {n_total} art"
    shutil.rmtree(copy)
    return [
        Row("incremental", label, "wall time (process)", round(run.seconds, 2), "s", "seconds (< 30 s)",
            run.seconds < 30, stages),
        Row("incremental", label, "quads added", after - before, "quads", "> 0", after > before),
        Row("incremental", label, "peak memory", human_bytes(run.peak_rss), ""),
        Row("incremental", label, "`dtkg dump` afterwards (all dumps from the store)",
            round(dumped.seconds, 1) if dumped else "-", "s" if dumped else "",
            note="" if dumped else f"not run above {DUMP_AFTER_INCREMENTAL_MAX} articles (it rewrites every dump)"),
    ]


def cpu_count() -> int:
    """Cores this process may use."""
    return len(os.sched_getaffinity(0))
