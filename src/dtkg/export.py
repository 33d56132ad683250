"""`dtkg dump`: write the dumps (TriG, merged Turtle and N-Triples) of a built store.

A full build writes its dumps as it goes; an incremental build does not (rewriting tens
of gigabytes is a build's worth of work), so this writes them afterwards from the store,
in the same format: the ontology and reference graphs, the article graphs (in the
store's order, which is stable for the same data), the inferred graph and the dataset
description, whose checksums and sizes are updated in the store as well. Like a build, it
writes into a staging folder (with a checkpoint of the store) and commits at once.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from dtkg import build as b, dump, store as st, stream
from dtkg.atomic import Staging, clean_stale, locked
from dtkg.incremental import NOTE


def write_dumps(out: Path, progress: b.Progress | None = None) -> b.Summary:
    """Write OUT's dumps from OUT/store; the summary says what was written (status "built")."""
    progress = progress or b.Progress()
    summary = b.Summary()
    if not (out / "store").is_dir():
        summary.status = "failed"
        summary.error = f"no dtkg store in {out} (run `dtkg build` first)"
        return summary
    with locked(out) as free:
        if not free:
            summary.status = "failed"
            summary.error = f"a dtkg build is writing to {out}"
            return summary
        clean_stale(out, have_lock=True)
        staging = Staging(out)
        started = time.perf_counter()
        try:
            _write(out, staging, summary, progress)
            summary.status = "built"
            staging.commit()
        except Exception as exc:  # noqa: BLE001 - reported, the previous output stays
            summary.status = "failed"
            summary.error = f"{type(exc).__name__}: {exc}"
            staging.discard()
        summary.seconds["total"] = time.perf_counter() - started
    return summary


def _write(out: Path, staging: Staging, summary: b.Summary, progress: b.Progress) -> None:
    store = b.open_store(b.Options(out=out, incremental=True), staging)
    previous = json.loads((out / "build.json").read_text(encoding="utf-8")) if (out / "build.json").is_file() else {}
    summary.triples["articles"] = previous.get("triples", {}).get("articles")
    with b.stage(summary, "dumps", progress):
        dumps = dump.DumpWriter(staging.dir)
        try:
            dumps.graph(st.ONTOLOGY.value, dump.graph_lines(store, st.ONTOLOGY), merged=False)
            dumps.graph(st.REFERENCE.value, dump.graph_lines(store, st.REFERENCE), merged=True)
            ab = dump.abbreviator()
            for graph, lines in dump.article_graphs(store, staging.path("store.nq")):
                dumps.article(stream.article_parts(graph[len(st.ARTICLE_PREFIX):], f"<{graph}>", lines, ab, None))
                summary.article_graphs += 1
                progress.tick()
            dumps.inferred(dump.graph_lines(store, st.INFERRED), st.INFERRED.value)
            if summary.triples["articles"] is None:
                summary.triples.pop("articles")
            b.finish_dumps(store, dumps, staging, summary)
        finally:
            dumps.close()
    store.flush()
    if previous:
        previous["triples"] = summary.triples
        previous["notes"] = [n for n in previous.get("notes", []) if n != NOTE]
        staging.write_bytes("build.json", (json.dumps(previous, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
