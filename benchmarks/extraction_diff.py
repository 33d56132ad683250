"""Reference output of the extractors, for proving that a speed-up changes nothing.

    python benchmarks/extraction_diff.py --out DIR [--generated N]     # write DIR/*.txt
    diff -r REF_DIR DIR                                                  # must be empty

Writes every fact with all its fields (type, arguments with every entity detail, evidence,
extractor, confidence, notes) plus each document's date, title and sentences, one file per
corpus: the sample articles, the dev articles (read from ../shared beside the repository at
run time, never copied) and the first N generated benchmark articles.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "src" / "dtkg" / "data" / "corpus"
DEV = ROOT.parent / "shared" / "corpus" / "dev.jsonl"


def plain(value):
    """A JSON-ready, deterministic rendering of any value a fact can hold."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"@": type(value).__name__, **fields}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((plain(v) for v in value), key=repr)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def articles_from_sources(sources):
    from dtkg.corpus import read

    return [item for item in read(sources) if hasattr(item, "text")]


def generated_articles(limit: int):
    """The first `limit` generated articles (of the 3,500-article benchmark corpus, made if missing)."""
    import stages

    work = ROOT / "benchmarks" / "results"
    work.mkdir(parents=True, exist_ok=True)
    return list(stages.read_articles(stages.corpus(work, 3500), limit))


def write(articles, path: Path) -> float:
    """Write the reference lines of `articles` to `path`; return the CPU seconds spent extracting."""
    from dtkg.extract import extract_all
    from dtkg.text import prepare

    cpu = 0.0
    with open(path, "w", encoding="utf-8") as out:
        for article in articles:
            t = time.process_time()
            doc = prepare(article)
            facts = extract_all(doc)
            cpu += time.process_time() - t
            head = {"doc": doc.id, "date": plain(doc.date), "title": doc.title, "year_hint": doc.year_hint,
                    "sentences": [plain(s) for s in doc.sentences]}
            out.write(json.dumps(head, ensure_ascii=False, sort_keys=True) + "\n")
            for fact in facts:
                out.write(json.dumps(plain(fact), ensure_ascii=False, sort_keys=True) + "\n")
    return cpu


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--generated", type=int, default=2000)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    corpora = {
        "samples": articles_from_sources([SAMPLES]),
        "dev": articles_from_sources([DEV]),
        "generated": generated_articles(args.generated),
    }
    for name, articles in corpora.items():
        cpu = write(articles, args.out / f"{name}.txt")
        print(f"{name}: {len(articles)} articles, {len(articles) / cpu:.0f} articles/s (CPU)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
