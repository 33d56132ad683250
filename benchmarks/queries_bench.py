"""Saved-query latency: the embedded Oxigraph store against rdflib's in-memory Dataset, same answers checked."""
from __future__ import annotations

import io
import os
import pickle
import signal
import sys
import threading
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from measure import Row, Timed, percentile, repeat, timed

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")}


def saved_queries(folder: Path, store: Any) -> dict[str, str]:
    """Every saved query by name, and the parameterised ones once more with a value from the data.

    Required parameters take a value that the generated corpus contains (a year, a name the
    store labels); a query whose required parameter is unknown here is left out.
    """
    from dtkg.queries import ParamError, bind_params, saved_queries as load

    examples = {"year": "2023", "system": "dân cư", "name": None}
    out = {}
    for name, query in load(folder).items():
        try:
            out[name] = bind_params(query, {})
        except ParamError:
            pass
        values = {}
        for param in query.params:
            value = examples.get(param.name)
            if param.name == "name":
                value = _a_label(store, "Person" if name == "person" else "Province")
            if value:
                values[param.name] = value
        if values and not any(p.name not in values and not p.optional for p in query.params):
            label = ",".join(f"{k}={v}" for k, v in sorted(values.items()))
            out[f"{name}[{label}]"] = bind_params(query, values)
    return out


def _a_label(store: Any, cls: str) -> str | None:
    """The label of some resource of class dtkg:`cls` (the first in IRI order), for a parameter value."""
    rows = list(store.query(
        f"SELECT ?l WHERE {{ ?x a <https://w3id.org/dtkg/ontology#{cls}> ; "
        f"<http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel> ?l }} "
        f"ORDER BY ?x ?l LIMIT 1", use_default_graph_as_union=True))
    return rows[0]["l"].value if rows else None


def _number(lexical: str) -> Any:
    try:
        return Decimal(lexical).normalize()
    except InvalidOperation:
        return lexical


def ox_term(term: Any) -> Any:
    """A comparable plain form of a pyoxigraph term."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dtype = term.datatype.value
        value = _number(term.value) if dtype in NUMERIC else term.value
        return ("lit", value, term.language or None, None if term.language else dtype)
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    return ("iri", term.value)


def rdflib_term(term: Any) -> Any:
    """The same plain form for an rdflib term (plain literals typed xsd:string, as RDF 1.1)."""
    from rdflib import BNode, Literal

    if term is None:
        return None
    if isinstance(term, Literal):
        dtype = str(term.datatype) if term.datatype else (None if term.language else XSD + "string")
        value = _number(str(term)) if dtype in NUMERIC else str(term)
        return ("lit", value, term.language or None, dtype)
    if isinstance(term, BNode):
        return ("bnode",)
    return ("iri", str(term))


def run_oxigraph(store: Any, query: str) -> Counter:
    """Run a query on the store (default graph = union of the named graphs) and collect its answer."""
    import pyoxigraph as ox

    result = store.query(query, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryBoolean):
        return Counter([bool(result)])
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return Counter(tuple(ox_term(s[n]) for n in names) for s in result)
    return Counter(tuple(ox_term(t) for t in (q.subject, q.predicate, q.object)) for q in result)


def run_rdflib(dataset: Any, query: str) -> Counter:
    """Run a query on the rdflib Dataset and collect its answer in the same form."""
    result = dataset.query(query)
    if result.type == "ASK":
        return Counter([bool(result.askAnswer)])
    if result.type == "SELECT":
        names = [str(v) for v in result.vars]
        return Counter(tuple(rdflib_term(row[n] if n in row.labels else None) for n in names) for row in result)
    return Counter(tuple(rdflib_term(t) for t in triple) for triple in result)


def load_rdflib(store: Any) -> tuple[Any, float]:
    """Copy the whole store into an rdflib `Dataset(default_union=True)`; return it and the load time."""
    import pyoxigraph as ox
    from rdflib import Dataset

    data = store.dump(format=ox.RdfFormat.N_QUADS)
    dataset = Dataset(default_union=True)
    load = timed(lambda: dataset.parse(io.BytesIO(data), format="nquads"))
    return dataset, load.seconds


def in_child(run: Any, timeout: float) -> Timed | None:
    """Time `run()` in a forked child (which shares the loaded graph); None if it takes over `timeout` s.

    rdflib's query engine cannot be interrupted, so slow reference queries run where they can be killed.
    """
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: run once, send the time and the answer, exit without cleanup
        try:
            os.close(reader)
            with os.fdopen(writer, "wb") as out:
                pickle.dump(timed(run), out)
        finally:
            os._exit(0)
    os.close(writer)
    box: dict[str, Any] = {}

    def read() -> None:
        with os.fdopen(reader, "rb") as handle:
            data = handle.read()
        box["result"] = pickle.loads(data) if data else None

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        thread.join()
        return None
    os.waitpid(pid, 0)
    return box.get("result")


def _reference_answer_and_times(run: Any, runs: int, timeout: float) -> tuple[Counter | None, list[float]]:
    """Like `_answer_and_times` for the slow reference engine: each run in a child killed after `timeout` s."""
    times: list[float] = []
    answer = None
    for _ in range(runs):
        result = in_child(run, timeout)
        if result is None:
            return answer, times
        answer = result.value
        times.append(result.seconds)
        if sum(times) > timeout:
            break
    return answer, times


def _answer_and_times(run: Any, runs: int, budget: float) -> tuple[Counter, list[float]]:
    """The answer of the first run, and the times of up to `runs` runs (the first included) within `budget` s."""
    first = timed(run)
    more = repeat(run, runs - 1, budget - first.seconds) if runs > 1 and first.seconds < budget else []
    return first.value, [first.seconds, *more]


TARGET_RATIO = 50  # the store must be at least this many times faster than rdflib


def reference_time_limit(p50: float, floor: float, cap: float) -> float:
    """How long rdflib may run a query the store answers in `p50` s: at least `floor`, and long
    enough (51 × p50) that being stopped still shows the 50× target, unless that is over `cap`."""
    return min(cap, max(floor, (TARGET_RATIO + 1) * p50))


def bench_queries(store_dir: Path, queries_dir: Path, runs: int, rdflib_runs: int,
                  budget: float = 30.0, rdflib_timeout: float = 30.0, rdflib_cap: float = 300.0) -> list[Row]:
    """p50/p95 of every saved query on the store and on rdflib, with the ratio and an answer check.

    rdflib runs each query in a child process stopped after `reference_time_limit` seconds: then the
    ratio is a lower bound, and the answers are not compared at this size (the smoke test compares
    them on a small build, where rdflib finishes)."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_dir))
    quads = len(store)
    label = f"{quads / 1e6:.2f}M quads"
    rows = [Row("queries", label, "quads in store", quads, "quads", ">= 1M", quads >= 1_000_000)]
    dataset, load_seconds = load_rdflib(store)
    rows.append(Row("queries", label, "rdflib Dataset load (reference)", round(load_seconds, 1), "s"))
    for name, text in saved_queries(queries_dir, store).items():
        ox_answer, ox_times = _answer_and_times(lambda: run_oxigraph(store, text), runs, budget)
        p50, p95 = percentile(ox_times, 50), percentile(ox_times, 95)
        limit = reference_time_limit(p50, rdflib_timeout, rdflib_cap)
        rdf_answer, rdf_times = _reference_answer_and_times(lambda: run_rdflib(dataset, text), rdflib_runs, limit)
        r50 = percentile(rdf_times, 50) if rdf_times else None
        print(f"  {name}: p50 {p50 * 1000:.1f} ms / rdflib {r50 if r50 is None else round(r50, 2)} s",
              file=sys.stderr, flush=True)
        note = f"{sum(ox_answer.values())} rows; {len(ox_times)}/{len(rdf_times)} runs"
        rows += [
            Row("queries", label, f"{name}: store p50", round(p50 * 1000, 2), "ms", "< 50 ms", p50 < 0.05, note),
            Row("queries", label, f"{name}: store p95", round(p95 * 1000, 2), "ms"),
        ]
        if r50 is None:  # rdflib did not finish: the ratio is a lower bound, the answer unchecked
            bound = limit / p50
            rows += [
                Row("queries", label, f"{name}: rdflib p50", f"> {limit * 1000:.0f}", "ms", note="stopped (time limit)"),
                Row("queries", label, f"{name}: speed-up vs rdflib", f"> {bound:.1f}", "×", f">= {TARGET_RATIO}×",
                    True if bound >= TARGET_RATIO else None),
                Row("queries", label, f"{name}: same answer as rdflib", "unchecked", "", "True", None,
                    "rdflib stopped at its time limit"),
            ]
            continue
        ratio = r50 / p50 if p50 else float("inf")
        same = ox_answer == rdf_answer
        rows += [
            Row("queries", label, f"{name}: rdflib p50", round(r50 * 1000, 1), "ms"),
            Row("queries", label, f"{name}: speed-up vs rdflib", round(ratio, 1), "×", f">= {TARGET_RATIO}×", ratio >= TARGET_RATIO),
            Row("queries", label, f"{name}: same answer as rdflib", same, "", "True", same,
                "" if same else f"store {sum(ox_answer.values())} rows, rdflib {sum(rdf_answer.values())} rows"),
        ]
    return rows


# ---------------------------------------------------------------- reference answers (before/after a rewrite)

def ordered(text: str) -> bool:
    """Whether a query text sorts its rows (then the order of the rows is part of the answer)."""
    import re

    return re.search(r"\bORDER\s+BY\b", text, re.IGNORECASE) is not None


def answer_rows(store: Any, query: str) -> list[tuple]:
    """The rows of a query on the store in the order the store gives them, as comparable plain forms."""
    import pyoxigraph as ox

    result = store.query(query, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryBoolean):
        return [(bool(result),)]
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return [tuple(names)] + [tuple(ox_term(s[n]) for n in names) for s in result]
    return [tuple(ox_term(t) for t in (q.subject, q.predicate, q.object)) for q in result]


def record_answers(store_dir: Path, queries_dir: Path, out: Path) -> dict[str, float]:
    """Run every saved query (with and without parameters) on a store and pickle its rows to `out`."""
    import time

    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_dir))
    answers, seconds = {}, {}
    for name, text in saved_queries(queries_dir, store).items():
        started = time.perf_counter()
        answers[name] = {"ordered": ordered(text), "rows": answer_rows(store, text)}
        seconds[name] = time.perf_counter() - started
        print(f"  {name}: {len(answers[name]['rows']) - 1} rows, {seconds[name]:.3f} s", file=sys.stderr, flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pickle.dumps(answers))
    return seconds


def compare_answers(reference: Path, store_dir: Path, queries_dir: Path) -> list[str]:
    """Differences between the pickled reference answers and the saved queries' answers now (empty: equal).

    Rows are compared as multisets; when the query has ORDER BY, also in order. The header
    (column names, in order) must be the same too.
    """
    import pyoxigraph as ox

    expected = pickle.loads(reference.read_bytes())
    store = ox.Store.read_only(str(store_dir))
    now = saved_queries(queries_dir, store)
    problems = [f"{name}: no longer run" for name in expected if name not in now]
    problems += [f"{name}: not in the reference" for name in now if name not in expected]
    for name, text in now.items():
        if name not in expected:
            continue
        rows, want = answer_rows(store, text), expected[name]
        if rows[:1] != want["rows"][:1]:
            problems.append(f"{name}: columns {rows[:1]} != {want['rows'][:1]}")
        elif Counter(rows) != Counter(want["rows"]):
            problems.append(f"{name}: rows differ ({len(rows) - 1} now, {len(want['rows']) - 1} before)")
        elif want["ordered"] and rows != want["rows"]:
            problems.append(f"{name}: same rows, different order")
        print(f"  {name}: {len(rows) - 1} rows, {'ok' if not problems or not problems[-1].startswith(name + ':') else 'DIFFERENT'}",
              file=sys.stderr, flush=True)
    return problems


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Record the saved queries' answers on a store, or compare with a record.")
    parser.add_argument("action", choices=("record", "compare"))
    parser.add_argument("store", type=Path, help="an Oxigraph store folder (opened read-only)")
    parser.add_argument("answers", type=Path, help="the pickle of reference answers")
    parser.add_argument("--queries", type=Path, default=Path(__file__).resolve().parents[1] / "queries")
    args = parser.parse_args()
    if args.action == "record":
        record_answers(args.store, args.queries, args.answers)
    else:
        found = compare_answers(args.answers, args.store, args.queries)
        print("\n".join(found) or "all answers equal to the reference")
        sys.exit(1 if found else 0)
