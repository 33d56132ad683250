"""Measuring helpers of the benchmark suite: clocks, percentiles, child processes and their peak memory."""
from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable


@dataclass
class Row:
    """One line of the results table."""

    bench: str
    size: str
    metric: str
    value: Any
    unit: str = ""
    target: str = ""
    ok: bool | None = None  # None: no target, or not measured
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Timed:
    """The result of a timed call: wall seconds, CPU seconds of this process, and the value returned."""

    seconds: float
    value: Any = None
    cpu: float = 0.0


def timed(fn: Callable[[], Any]) -> Timed:
    """Call `fn` once; time it with the monotonic clock and the process CPU clock.

    On a shared machine the CPU time is what the call would take on an idle core.
    """
    start, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return Timed(time.perf_counter() - start, value, time.process_time() - cpu)


def repeat(fn: Callable[[], Any], runs: int, budget: float | None = None) -> list[float]:
    """Time `runs` calls of `fn` (fewer if `budget` seconds run out, at least one)."""
    times: list[float] = []
    spent = 0.0
    for _ in range(runs):
        t = timed(fn).seconds
        times.append(t)
        spent += t
        if budget is not None and spent > budget:
            break
    return times


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) of `values`, linear interpolation."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(sorted(values), n=100, method="inclusive")[max(0, min(98, round(q) - 1))]


SAMPLE_EVERY = 0.5  # seconds between two samples of a child's process tree


def _pss(pid: int) -> int:
    """Proportional set size of `pid` in bytes: shared pages split among the processes sharing them."""
    with open(f"/proc/{pid}/smaps_rollup") as handle:
        for line in handle:
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    return 0


def tree_rss(pid: int) -> int:
    """Memory in bytes of process `pid` and all its descendants (0 when gone).

    Summed as PSS, so pages a forked worker shares with its parent count once, not per process.
    """
    total = 0
    for p in _descendants(pid):
        try:
            total += _pss(p)
        except (FileNotFoundError, ProcessLookupError, PermissionError, ValueError):
            continue
    return total


def _descendants(pid: int) -> list[int]:
    """`pid` and every process below it (forkserver workers are grandchildren of a build)."""
    found, stack = [], [pid]
    while stack:
        p = stack.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as handle:
                    stack.extend(int(c) for c in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError, ValueError):
            continue
    return found


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds `pid` has used so far (None when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class ChildRun:
    """A finished child process: wall time, peak memory, exit code and output."""

    seconds: float
    cpu: float  # user + system seconds of the child and all its descendants (see run_child)
    peak_rss: int  # bytes, the larger of wait4's max RSS and the sampled process-tree PSS
    returncode: int
    stdout: str
    stderr: str
    samples: list[int] = field(default_factory=list)


def run_child(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
              timeout: float | None = None) -> ChildRun:
    """Run `cmd`, measuring wall time and peak resident memory of its whole process tree.

    Peak memory is the larger of the kernel's max RSS for the child (wait4) and the
    sum of PSS over the child and its descendants sampled every SAMPLE_EVERY s, so a build that
    forks workers is charged for all of them at once (shared pages once). CPU time is the
    larger of what wait4 reports (the child and the descendants it waited for) and the sum,
    over every process of the tree, of the last CPU time sampled from /proc: worker
    processes of a forkserver are not waited for by the child, so wait4 misses them; a
    process that ends between two samples loses at most SAMPLE_EVERY s of its time. (Reading
    smaps_rollup of every process costs CPU: sampled every 0.1 s it took ~13 % of a core.)
    """
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"dtkg-bench-{os.getpid()}-{time.monotonic_ns()}"
    with open(f"{out_path}.out", "w+") as out, open(f"{out_path}.err", "w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        samples: list[int] = []
        cpu: dict[int, float] = {}
        done = threading.Event()

        def sample() -> None:
            while not done.wait(SAMPLE_EVERY):
                samples.append(tree_rss(proc.pid))
                for p in _descendants(proc.pid):
                    used = cpu_seconds(p)
                    if used is not None:
                        cpu[p] = max(used, cpu.get(p, 0.0))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        deadline = None if timeout is None else start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = ChildRun(seconds, max(usage.ru_utime + usage.ru_stime, sum(cpu.values())),
                          max(usage.ru_maxrss * 1024, max(samples, default=0)),
                          proc.returncode, out.read(), err.read(), samples)
    for suffix in (".out", ".err"):
        Path(f"{out_path}{suffix}").unlink(missing_ok=True)
    return result


def du(path: Path) -> int:
    """Bytes on disk under `path` (file sizes, as `du --apparent-size`)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def human_bytes(n: float) -> str:
    """Bytes as MiB/GiB text."""
    return f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n / 2**20:.1f} MiB"
