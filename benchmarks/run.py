"""Run dtkg's benchmark suite and print the results table.

    python benchmarks/run.py                       # sizes 1000, 10000, 100000
    python benchmarks/run.py --sizes 1000 --quick  # a few minutes

Writes `benchmarks/results/latest.json` (and reuses the generated corpora there).
Targets are reported, never asserted: the exit code is 1 only when a benchmark
crashed or two engines disagreed on an answer.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import traceback
from importlib import metadata
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

import stages  # noqa: E402
from measure import Row  # noqa: E402

HERE = Path(__file__).resolve().parent
CORRECTNESS = ("same answer", "same verdict", "equal to owlrl", "same triples", "facts per article", "quads added")


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "0")
    versions = {}
    for dist in ("dtkg", "pyoxigraph", "rdflib", "pyshacl", "owlrl"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "-"
    load = Path("/proc/loadavg").read_text().split()[:3]
    return {"load average (1/5/15 min)": " ".join(load), "cpu": cpu, "cores": str(stages.cpu_count()), "memory": f"{int(mem) / 2**20:.1f} GiB",
            "python": platform.python_version(), "os": platform.platform(), **versions}


def attempt(name: str, size: str, fn: Callable[[], list[Row]]) -> list[Row]:
    """Run one benchmark; a missing dtkg feature is 'skipped', a crash is an 'error' row."""
    started = time.perf_counter()
    print(f"… {name} ({size})", file=sys.stderr, flush=True)
    try:
        rows = fn()
    except (ImportError, AttributeError) as exc:
        rows = [Row(name, size, "skipped", "-", note=f"not available: {exc}")]
    except Exception as exc:  # a benchmark crash is reported, the suite goes on
        traceback.print_exc()
        rows = [Row(name, size, "error", "-", ok=False, note=f"{type(exc).__name__}: {exc}"[:300])]
    print(f"  done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return rows


def print_table(rows: list[Row]) -> None:
    """Print the rows as an aligned text table."""
    header = ("benchmark", "size", "metric", "value", "target", "ok")
    cells = [header] + [
        (r.bench, r.size, r.metric, f"{r.value} {r.unit}".strip(), r.target,
         "" if r.ok is None else ("yes" if r.ok else "NO")) for r in rows
    ]
    widths = [max(len(str(c[i])) for c in cells) for i in range(len(header))]
    for number, cell in enumerate(cells):
        print("  ".join(str(c).ljust(w) for c, w in zip(cell, widths)).rstrip())
        if number == 0:
            print("  ".join("-" * w for w in widths))


def markdown_table(rows: list[Row]) -> str:
    """The rows as a Markdown table (for docs/benchmarks.md)."""
    lines = ["| benchmark | size | metric | value | target | ok |", "|---|---|---|---|---|---|"]
    for r in rows:
        ok = "" if r.ok is None else ("yes" if r.ok else "**no**")
        value = f"{r.value} {r.unit}".strip().replace("|", "\\|")
        lines.append(f"| {r.bench} | {r.size} | {r.metric.strip()} | {value} | {r.target} | {ok} |")
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run dtkg's benchmark suite and print the results table.")
    parser.add_argument("--sizes", default=None, help="comma-separated corpus sizes (default 1000,10000,100000; "
                        "with --quick 1000)")
    parser.add_argument("--quick", action="store_true", help="fewer runs and smaller samples")
    parser.add_argument("--only", default="", help="comma-separated benchmarks to run (extraction, build, "
                        "queries, shacl, reasoning, dump, incremental)")
    parser.add_argument("--jobs", type=int, default=stages.cpu_count(), help="--jobs for dtkg build")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=HERE / "results", help="folder for corpora, builds, results")
    parser.add_argument("--reuse", action="store_true", help="take builds this suite measured before "
                        "(results/build-N with build-N.bench.json) instead of rebuilding them")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds allowed for one build")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the suite, print the table, write latest.json; exit 1 on crashes or disagreements."""
    args = parse_args(argv)
    import quality_bench
    from queries_bench import bench_queries

    sizes = [int(s) for s in (args.sizes or ("1000" if args.quick else "1000,10000,100000")).split(",")]
    only = set(filter(None, args.only.split(",")))
    wanted = lambda name: not only or name in only  # noqa: E731
    args.work.mkdir(parents=True, exist_ok=True)
    corpora = {n: stages.corpus(args.work, n, args.seed) for n in sizes}
    rows: list[Row] = []
    before = machine()
    if wanted("extraction"):
        big = max(sizes)
        limit = min(big, 200 if args.quick else 2000)
        rows += attempt("extraction", f"{limit} art", lambda: stages.bench_extraction(corpora[big], limit))
    figures: list[dict] = []
    if wanted("build") or only & {"queries", "shacl", "reasoning", "dump", "incremental"}:
        for n in sizes:
            def one(n: int = n) -> list[Row]:
                built, fig = stages.bench_build(corpora[n], n, args.work, args.jobs, args.timeout, args.reuse)
                figures.append(fig)
                return built
            rows += attempt("build", f"{n} art", one)
        rows += stages.linear_rows(figures)
    big_build = next((f for f in sorted(figures, key=lambda f: f["n"]) if f["triples"] >= 1_000_000),
                     max(figures, key=lambda f: f["n"], default=None))
    if big_build and wanted("queries"):
        runs, rdf_runs = (5, 1) if args.quick else (50, 3)
        rows += attempt("queries", f"{big_build['n']} art", lambda: bench_queries(
            Path(big_build["out"]) / "store", stages.ROOT / "queries", runs, rdf_runs, 2 if args.quick else 5,
            5 if args.quick else 20, 5 if args.quick else 300))
    if big_build and wanted("shacl"):
        rows += attempt("shacl", f"{big_build['n']} art", lambda: quality_bench.bench_shacl(
            Path(big_build["out"]), 10 if args.quick else 300, args.jobs))
    if big_build and wanted("reasoning"):
        sample = 10 if args.quick else 330  # 330 generated articles: ~100k triples
        rows += attempt("reasoning", f"{sample} art", lambda: quality_bench.bench_reasoning(
            Path(big_build["out"]), sample))
    if big_build and wanted("dump"):
        rows += attempt("dump", f"{big_build['n']} art", lambda: quality_bench.bench_dump(
            Path(big_build["out"]), args.work))
    if figures and wanted("incremental"):
        last = max(figures, key=lambda f: f["n"])
        rows += attempt("incremental", f"{last['n']} art", lambda: stages.bench_incremental(
            Path(last["out"]), args.work, args.seed, last["n"]))
    print_table(rows)
    print("\nmachine: " + "; ".join(f"{k} {v}" for k, v in machine().items()))
    result = {"machine_before": before, "machine": machine(), "argv": sys.argv[1:], "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "rows": [r.as_dict() for r in rows]}
    (args.work / "latest.md").write_text(markdown_table(rows), encoding="utf-8")
    (args.work / "latest.json").write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    broken = [r for r in rows if r.metric == "error" or (r.ok is False and any(c in r.metric for c in CORRECTNESS))]
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
