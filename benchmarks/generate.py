"""Write a scale corpus of synthetic Vietnamese digital-transformation news as JSON Lines.

Each article is assembled from the project's own sentence templates
(`benchmarks/templates/`), filled from the reference data (provinces, ministries,
national systems in `src/dtkg/data/reference/`) and generated Vietnamese person
names. Output lines are `{"id", "url", "title", "date", "text"}`.

The generator is deterministic (article *i* depends only on the seed and *i*) and
streaming (one article in memory at a time), so 100k articles cost no more memory
than ten:

    python benchmarks/generate.py --n 100000 --out corpus-100k.jsonl
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, TextIO

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
REFERENCE = HERE.parent / "src" / "dtkg" / "data" / "reference"

FIRST_DAY = dt.date(2019, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
MERGER_DAY = dt.date(2025, 7, 1)  # provinces-2025.csv applies from this day
ORDINALS = ("nhất", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười", "mười một", "mười hai")
# how often each kind of sentence appears in a body paragraph (filler is general prose)
WEIGHTS = {
    "filler": 46, "links": 13, "post": 9, "meeting": 6, "ranking": 7,
    "document": 9, "operates": 4, "rename": 2, "headship": 2,
}
SLOT = re.compile(r"\{(\w+)\}")
CHOICE = re.compile(r"\[([^\]]*)\]")


def read_lines(name: str) -> list[str]:
    """Read one template file: one entry per line, `#` comments and blank lines skipped."""
    lines = (TEMPLATES / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def read_csv(name: str) -> list[dict[str, str]]:
    """Read one reference CSV as a list of rows."""
    with open(REFERENCE / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def ascii_slug(text: str) -> str:
    """Fold Vietnamese text to an ASCII slug for made-up URLs."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


@dataclass(frozen=True)
class Province:
    """A province as the templates need it: name, unit word and party committee name."""

    name: str
    unit: str  # "tỉnh" or "thành phố"
    party: str  # "Tỉnh ủy" or "Thành ủy"


@dataclass(frozen=True)
class System:
    """A national system: its names and the body that operates it."""

    names: tuple[str, ...]  # canonical name first
    operator: str


class Material:
    """Everything the generator draws from: templates, names and reference data."""

    def __init__(self) -> None:
        self.templates = {kind: read_lines(f"{kind}.txt") for kind in WEIGHTS}
        for kind in ("headline", "furniture_top", "furniture_bottom", "chain_chair", "chain_vice", "chain_secretary"):
            self.templates[kind] = read_lines(f"{kind}.txt")
        self.surnames = read_lines("surnames.txt")
        self.middles = read_lines("middle.txt")
        self.givens = read_lines("given.txt")
        self.provinces_2021 = [self._province(row) for row in read_csv("provinces-2021.csv")]
        self.provinces_2025 = [self._province(row) for row in read_csv("provinces-2025.csv")]
        self.ministries = [row["name_vi"] for row in read_csv("ministries.csv") if row["in_structure_2021"] == "yes"]
        self.systems = [
            System((row["name_vi"], *[a for a in row["alt_names"].split(";") if a and not a.isascii()]), row["operator"])
            for row in read_csv("national-systems.csv")
        ]
        self.kinds = list(WEIGHTS)
        self.weights = list(WEIGHTS.values())

    @staticmethod
    def _province(row: dict[str, str]) -> Province:
        city = row["type"].startswith("thành phố")
        return Province(row["name_vi"], "thành phố" if city else "tỉnh", "Thành ủy" if city else "Tỉnh ủy")

    def provinces(self, day: dt.date) -> list[Province]:
        """The provinces that exist on `day` (63 before the 2025 merger, 34 after)."""
        return self.provinces_2025 if day >= MERGER_DAY else self.provinces_2021


def person_name(material: Material, seed: int, *key: object) -> str:
    """A Vietnamese name fixed by `key`, so the same office holder recurs across articles."""
    rng = random.Random(":".join(map(str, (seed, "person", *key))))
    return f"{rng.choice(material.surnames)} {rng.choice(material.middles)} {rng.choice(material.givens)}"


def vn_date(day: dt.date, year: bool = True) -> str:
    """Write a date the Vietnamese way: 4/8/2022, or 4/8 without the year."""
    return f"{day.day}/{day.month}/{day.year}" if year else f"{day.day}/{day.month}"


def vn_decimal(value: float, digits: int) -> str:
    """Write a decimal number with the Vietnamese decimal comma."""
    return f"{value:.{digits}f}".replace(".", ",")


class ArticleWriter:
    """Fills templates for one article; holds the article's cast (province, people, dates)."""

    def __init__(self, material: Material, seed: int, index: int) -> None:
        self.m = material
        self.rng = random.Random(f"{seed}:article:{index}")
        rng = self.rng
        self.day = FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
        provinces = material.provinces(self.day)
        self.province = rng.choice(provinces)
        self.total = len(provinces)
        term = (self.day.year - 2019) // 3  # office holders change every few years
        place = self.province.name
        self.cast = {
            role: person_name(material, seed, place, role, term)
            for role in ("chair", "vice", "secretary", "director", "official")
        }
        ministry = rng.choice(material.ministries)
        self.cast["M"] = ministry
        self.cast["minister"] = person_name(material, seed, ministry, "minister", term)
        self.cast["deputy"] = person_name(material, seed, ministry, "deputy", term, rng.randrange(3))
        self.cast["chain"] = self._fill(rng.choice(material.templates["chain_chair"]))
        self.cast["vchain"] = self._fill(rng.choice(material.templates["chain_vice"]))
        self.cast["schain"] = self._fill(rng.choice(material.templates["chain_secretary"]))
        self._system: System | None = None
        dti = random.Random(f"{seed}:dti:{place}:{self.day.year - 1}")  # one DTI result per province and year
        self.dti = (str(dti.randint(1, self.total)), vn_decimal(dti.uniform(0.3, 0.75), 4))

    def _before(self, max_days: int) -> dt.date:
        return self.day - dt.timedelta(days=self.rng.randrange(max_days + 1))

    def _slot(self, name: str) -> str:
        rng, p = self.rng, self.province
        if name in self.cast:
            return self.cast[name]
        simple: dict[str, Callable[[], str]] = {
            "P": lambda: p.name,
            "unit": lambda: p.unit,
            "Unit": lambda: p.unit.capitalize(),
            "party": lambda: p.party,
            "year": lambda: str(self.day.year),
            "prev": lambda: str(self.day.year - 1),
            "next": lambda: str(self.day.year + 1),
            "plus5": lambda: str(self.day.year + 5),
            "date": lambda: vn_date(self._before(45)),
            "date2": lambda: vn_date(self._before(700)),
            "daymonth": lambda: vn_date(self._before(6), year=False),
            "month": lambda: str(self._before(200).month),
            "quarter": lambda: rng.choice(("I", "II", "III", "IV")),
            "ord": lambda: rng.choice(ORDINALS),
            "period": lambda: rng.choice((f"6 tháng đầu năm {self.day.year}", f"năm {self.day.year - 1}", f"quý I năm {self.day.year}")),
            "total": lambda: str(self.total),
            "rank": lambda: self.dti[0],
            "score": lambda: self.dti[1],
            "rank2": lambda: str(rng.randint(1, self.total)),
            "score2": lambda: vn_decimal(rng.uniform(0.3, 0.75), 4),
            "P2": lambda: rng.choice([q for q in self.m.provinces(self.day) if q != p]).name,
            "S": lambda: rng.choice(self._pick_system().names),
            "op": lambda: self._pick_system().operator,
            "qd": lambda: f"{rng.randint(1, 3999)}/QĐ-UBND",
            "kh": lambda: f"{rng.randint(1, 399)}/KH-UBND",
            "nq": lambda: f"{rng.randint(1, 40):02d}-NQ/TU",
            "ct": lambda: f"{rng.randint(1, 30):02d}/CT-UBND",
            "n": lambda: str(rng.randint(10, 999)),
            "n2": lambda: str(rng.randint(2, 60)),
            "n3": lambda: f"{rng.randint(0, 999):03d}",
            "pct": lambda: vn_decimal(rng.uniform(40, 99.9), 1),
        }
        if name not in simple:
            raise KeyError(f"template slot {{{name}}} is not known to benchmarks/generate.py")
        return simple[name]()

    def _pick_system(self) -> System:
        if self._system is None:
            with_operator = [s for s in self.m.systems if s.operator]
            self._system = self.rng.choice(with_operator)
        return self._system

    def _fill(self, template: str) -> str:
        """Fill one template: pick `[a|b]` alternatives, then `{slot}`s (one system per sentence)."""
        self._system = None
        text = CHOICE.sub(lambda m: self.rng.choice(m.group(1).split("|")), template)
        return SLOT.sub(lambda m: self._slot(m.group(1)), text)

    def sentence(self, kind: str) -> str:
        """One filled sentence of the given kind."""
        return self._fill(self.rng.choice(self.m.templates[kind]))

    def body(self) -> list[str]:
        """The paragraphs of the article: a lead, then mixed paragraphs."""
        rng = self.rng
        paragraphs = [self.sentence(rng.choice(("meeting", "post", "links", "document")))]
        for _ in range(rng.randint(5, 14)):
            kinds = rng.choices(self.m.kinds, self.m.weights, k=rng.randint(1, 4))
            paragraphs.append(" ".join(self.sentence(kind) for kind in kinds))
        return paragraphs

    def article(self, index: int) -> dict[str, str]:
        """The whole article record: page furniture around a headline and body."""
        rng = self.rng
        title = self.sentence("headline")
        top = [self._fill(t) for t in rng.sample(self.m.templates["furniture_top"], rng.randint(0, 3))]
        bottom = [self._fill(t) for t in rng.sample(self.m.templates["furniture_bottom"], rng.randint(0, 4))]
        related = [self.sentence("headline") for _ in range(rng.randint(0, 3))]
        lines = [*top, title, *self.body(), *bottom, *related]
        slug = ascii_slug(self.province.name)
        return {
            "id": f"gen-{index:07d}",
            "url": f"https://{slug}.example.gov.vn/chuyen-doi-so/{ascii_slug(title)[:60]}-{index}.html",
            "title": title,
            "date": self.day.isoformat(),
            "text": "\n".join(lines),
        }


def iter_articles(n: int, seed: int = 1, start: int = 0, material: Material | None = None) -> Iterator[dict[str, str]]:
    """Yield articles `start .. start+n-1` one at a time."""
    material = material or Material()
    for index in range(start, start + n):
        yield ArticleWriter(material, seed, index).article(index)


def write_corpus(out: TextIO, n: int, seed: int = 1, start: int = 0) -> int:
    """Stream `n` articles to `out` as JSON Lines; return the number of bytes of text written."""
    size = 0
    for record in iter_articles(n, seed, start):
        line = json.dumps(record, ensure_ascii=False)
        size += len(line.encode("utf-8")) + 1
        out.write(line + "\n")
    return size


def main(argv: list[str] | None = None) -> int:
    """Command line: write a corpus of `--n` articles to `--out` (default stdout)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of articles (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--start", type=int, default=0, help="index of the first article (to extend a corpus)")
    parser.add_argument("--out", default="-", help="output .jsonl file, - for stdout")
    args = parser.parse_args(argv)
    if args.out == "-":
        write_corpus(sys.stdout, args.n, args.seed, args.start)
        return 0
    with open(args.out, "w", encoding="utf-8") as out:
        size = write_corpus(out, args.n, args.seed, args.start)
    print(f"wrote {args.n} articles ({size / 1e6:.1f} MB) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
