"""Compare this checkout with an earlier commit: extraction throughput and a full build, the two
versions alternating, so that both see the same machine (its speed drifts over a day by 10-20 %).

    .venv/bin/python benchmarks/ab.py 61acb33 --n 10000 --rounds 2

The earlier commit is exported with `git archive` into a scratch folder and run from there with
PYTHONPATH (same interpreter, same dependencies). Nothing is asserted: it prints one line per run.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import stages
from measure import human_bytes, run_child

HERE = Path(__file__).resolve().parent
BUILD = "import sys; from dtkg.cli import main; sys.exit(main(sys.argv[1:]))"


def export(commit: str, into: Path) -> Path:
    """The `src` folder of `commit` exported from this repository (with the data folders beside it:
    ontology/, shapes/, queries/)."""
    archive = subprocess.run(["git", "archive", commit], cwd=stages.ROOT, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "src"


def extraction_rate(src: Path, corpus: Path, limit: int) -> str:
    """Articles per CPU-second of `prepare` + `extract_all` with the code in `src` (a child process)."""
    env = dict(os.environ, PYTHONPATH=str(src))
    done = subprocess.run([sys.executable, str(Path(__file__)), "--extract", str(corpus), "--limit", str(limit)],
                          env=env, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def build_run(src: Path, corpus: Path, out: Path, jobs: int) -> str:
    """Wall time, CPU time of the process tree and peak memory of `dtkg build` with the code in `src`."""
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, PYTHONPATH=str(src))
    run = run_child([sys.executable, "-c", BUILD, "build", str(corpus), "--out", str(out), "--jobs", str(jobs),
                     "--quiet"], env=env)
    shutil.rmtree(out, ignore_errors=True)
    if run.returncode not in (0, 1):
        raise RuntimeError(f"build failed ({run.returncode}): {run.stderr[-2000:]}")
    return f"build {run.seconds:.1f} s wall, {run.cpu:.1f} s CPU, peak {human_bytes(run.peak_rss)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("commit", nargs="?", help="the earlier commit to compare with")
    parser.add_argument("--n", type=int, default=10000, help="articles in the build (generated corpus)")
    parser.add_argument("--limit", type=int, default=2000, help="articles in the extraction run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=stages.cpu_count())
    parser.add_argument("--work", type=Path, default=HERE / "results")
    parser.add_argument("--extract", type=Path, help=argparse.SUPPRESS)  # child: measure extraction only
    args = parser.parse_args()
    if args.extract:
        rows = stages.bench_extraction(args.extract, args.limit)
        print(f"extraction {rows[1].value} articles/s per CPU-second")
        return 0
    if not args.commit:
        parser.error("give the commit to compare with")
    args.work.mkdir(parents=True, exist_ok=True)
    corpus = stages.corpus(args.work, args.n)
    with tempfile.TemporaryDirectory(prefix="dtkg-ab-") as scratch:
        versions = {args.commit: export(args.commit, Path(scratch)), "this checkout": stages.ROOT / "src"}
        for number in range(1, args.rounds + 1):
            for name, src in versions.items():
                rate = extraction_rate(src, corpus, args.limit)
                built = build_run(src, corpus, Path(scratch) / "out", args.jobs)
                print(f"round {number}, {name}: {rate}; {args.n} articles: {built}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
