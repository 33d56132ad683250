"""Read articles from folders, JSON Lines files or the bundled sample, rejecting bad input by name.

`read(sources)` is a generator of `Article` and `Rejection` in a deterministic order:
sources in the order given; files in a folder sorted by their relative path; JSON Lines
in line order. Nothing here raises for bad input: an empty, binary, oversized or
undecodable file, a broken JSON line or one without id or text becomes a `Rejection`
with the source name and the reason, and reading goes on.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Iterator

from dtkg.model import Article
from dtkg.rdf.iris import web_iri
from dtkg.resources import sample_corpus
from dtkg.text.dates import parse_absolute
from dtkg.text.sentences import paragraphs

MAX_BYTES = 20 * 1024 * 1024  # one article; a JSON Lines file may be larger
TEXT_SUFFIXES = (".txt", ".html", ".htm", ".md")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
TITLE_MAX = 200

# Letters only Vietnamese uses among Latin scripts: evidence that a cp1258 decoding is right.
_VIET = set("ăđơưĂĐƠƯ")
_TONE_MARKS = set("\u0300\u0301\u0303\u0309\u0323")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class Rejection:
    """An input that could not be read as an article: where it came from and why."""

    source: str
    reason: str

    def to_json(self) -> str:
        """One line of OUT/rejected.jsonl."""
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)


Item = Article | Rejection


def read(sources: Iterable[str | Path] = ()) -> Iterator[Item]:
    """Yield the articles (and rejections) of each source; no source means the bundled sample."""
    sources = list(sources) or [sample_corpus()]
    for source in sources:
        path = Path(source)
        if path.is_dir():
            yield from read_folder(path)
        elif not path.exists():
            yield Rejection(str(source), "no such file or folder")
        elif path.suffix.lower() in JSONL_SUFFIXES:
            yield from read_jsonl(path)
        elif path.suffix.lower() in TEXT_SUFFIXES:
            yield read_file(path)
        else:
            yield Rejection(str(source), f"unsupported file type {path.suffix or '(none)'!r}")


def read_folder(folder: Path) -> Iterator[Item]:
    """Articles of every .txt/.html/.htm/.md (and .jsonl) file under `folder`, sorted by path."""
    files = sorted(
        (p for p in folder.rglob("*") if p.is_file() and not _hidden(p.relative_to(folder))),
        key=lambda p: p.relative_to(folder).as_posix(),
    )
    for path in files:
        suffix = path.suffix.lower()
        if suffix in TEXT_SUFFIXES:
            yield read_file(path)
        elif suffix in JSONL_SUFFIXES:
            yield from read_jsonl(path)


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def read_file(path: Path) -> Item:
    """One article from a text, HTML or Markdown file (id = file stem)."""
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return Rejection(source, f"file too large ({size / 2**20:.1f} MiB > {MAX_BYTES // 2**20} MiB)")
        data = path.read_bytes()
    except OSError as exc:
        return Rejection(source, f"cannot read file: {exc.strerror or exc}")
    text, reason = decode(data)
    if text is None:
        return Rejection(source, reason)
    suffix = path.suffix.lower()
    title = _html_title(text) if suffix in (".html", ".htm") else _first_line_title(text, suffix)
    return Article(id=path.stem, text=text, title=title, source=source)


def decode(data: bytes) -> tuple[str | None, str]:
    """Decode article bytes: UTF-8 (BOM allowed), else Windows-1258 if it reads as Vietnamese.

    Returns (text, "") or (None, reason).
    """
    if not data.strip():
        return None, "empty file"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _checked(data.decode("utf-16"))
        except UnicodeDecodeError:
            return None, "invalid UTF-16"
    if _binary(data):
        return None, "binary file (not text)"
    try:
        return _checked(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        first_error = exc.start
    if _utf8_like(data):
        return None, f"invalid UTF-8 at byte {first_error} (broken UTF-8, not Windows-1258)"
    try:
        raw = data.decode("cp1258")
    except UnicodeDecodeError:
        return None, f"invalid UTF-8 at byte {first_error} (and not Windows-1258)"
    if _looks_vietnamese(raw):
        return _checked(unicodedata.normalize("NFC", raw))
    return None, f"invalid UTF-8 at byte {first_error} (and not Windows-1258 Vietnamese)"


def _cp1252_table() -> dict[str, int]:
    """Character → byte of Windows-1252, with its five undefined bytes kept as C1 controls
    (what a browser or a naive re-encoder leaves in double-encoded text)."""
    table = {}
    for b in range(256):
        try:
            table[bytes([b]).decode("cp1252")] = b
        except UnicodeDecodeError:
            table[chr(b)] = b
    return table


_CP1252 = _cp1252_table()
_LEAD = "".join(ch for ch, b in _CP1252.items() if 0xC2 <= b <= 0xF4)
_CONT = "".join(ch for ch, b in _CP1252.items() if 0x80 <= b <= 0xBF)
_MOJIBAKE = re.compile(f"[{re.escape(_LEAD)}][{re.escape(_CONT)}]")


def repair_mojibake(text: str) -> str:
    """Undo double encoding (UTF-8 bytes read as Windows-1252, saved again as UTF-8): "Ä‘á»“ng"
    → "đồng". A text is repaired as a whole when all of it maps back to valid UTF-8, else line
    by line (a clean lead line over a double-encoded body); other text is left as it is."""
    hits = len(_MOJIBAKE.findall(text))
    if not hits:  # clean text, nearly always: one scan
        return text
    whole = _repair(text, 3, hits)
    if whole is not text or hits < 3:
        return whole
    return "".join(_repair(line, 1) for line in text.splitlines(keepends=True))


def _repair(text: str, at_least: int, hits: int | None = None) -> str:
    if hits is None:
        hits = len(_MOJIBAKE.findall(text))
    if hits < at_least or hits * 4 < sum(1 for ch in text if ord(ch) > 127) // 2:
        return text
    try:
        fixed = bytes(_CP1252[ch] if ord(ch) > 127 else ord(ch) for ch in text).decode("utf-8")
    except (KeyError, ValueError):
        return text
    return fixed if len(_MOJIBAKE.findall(fixed)) < hits else text


def _checked(text: str) -> tuple[str | None, str]:
    text = repair_mojibake(text)
    if not text.strip():
        return None, "empty file"
    if _SURROGATE.search(text):
        return None, "invalid Unicode (lone surrogate)"
    if len(_CONTROL.findall(text)) > max(8, len(text) // 100):
        return None, "binary file (control characters)"
    return text, ""


def _binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(head) // 20


_UTF8_PAIR = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
_HIGH = re.compile(rb"[\x80-\xff]")


def _utf8_like(data: bytes) -> bool:
    """True when the non-ASCII bytes are mostly UTF-8 sequences (a lead byte and a continuation
    byte): UTF-8 with a few broken bytes, which cp1258 would turn into mojibake. In real
    Windows-1258 text such pairs are a letter before a quote or a dash, and rare."""
    high = len(_HIGH.findall(data))
    return high > 0 and len(_UTF8_PAIR.findall(data)) * 8 > high


def _looks_vietnamese(raw: str) -> bool:
    """True when a cp1258 decoding reads as Vietnamese: tones as combining marks (as cp1258
    writes them) and letters only Vietnamese has, no control characters."""
    letters = sum(ch.isalpha() for ch in raw)
    if letters == 0 or _CONTROL.search(raw):
        return False
    evidence = sum(ch in _TONE_MARKS or ch in _VIET for ch in raw)
    return evidence >= max(1, letters // 50)


def _first_line_title(text: str, suffix: str) -> str | None:
    """The title a text file may carry on its first line (Markdown: a leading '# ' heading).

    For .txt: the first line that is neither page furniture nor a dateline, when it is
    short, does not end like a sentence and more text follows.
    """
    if suffix == ".md":
        first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
        return (first[2:].strip() or None) if first.startswith("# ") else None
    for start, end in paragraphs(text)[:3]:
        line = text[start:end].strip()
        if parse_absolute(line):
            continue
        if len(line) > TITLE_MAX or line[-1] in ".!?…:;," or not text[end:].strip():
            return None
        return line
    return None


_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.I | re.S)


def _html_title(text: str) -> str | None:
    match = _TITLE.search(text[:200_000])
    if not match:
        return None
    title = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())
    return title[:TITLE_MAX * 2] or None


def read_jsonl(path: Path) -> Iterator[Item]:
    """Articles of a JSON Lines file of {id, url, title, date, text}; blank lines are skipped."""
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield Rejection(str(path), f"cannot read file: {exc.strerror or exc}")
        return
    with fh:
        for number, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            source = f"{path}:{number}"
            if len(raw) > MAX_BYTES:
                yield Rejection(source, f"line too large ({len(raw) / 2**20:.1f} MiB > {MAX_BYTES // 2**20} MiB)")
                continue
            yield parse_json_line(raw, source)


def parse_json_line(raw: bytes, source: str) -> Item:
    """One JSON Lines record as an Article, or the reason it is not one."""
    try:
        line = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Rejection(source, f"invalid UTF-8 at byte {exc.start}")
    try:
        record = json.loads(line)
    except ValueError as exc:
        return Rejection(source, f"broken JSON: {exc}")
    if not isinstance(record, dict):
        return Rejection(source, "JSON line is not an object")
    ident = record.get("id")
    if isinstance(ident, int) and not isinstance(ident, bool):
        ident = str(ident)
    if not isinstance(ident, str) or not ident.strip():
        return Rejection(source, "missing id")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return Rejection(source, f"missing text (id {ident!r})")
    fields = {k: record.get(k) for k in ("url", "title")}
    for key, value in fields.items():
        if value is not None and not isinstance(value, str):
            return Rejection(source, f"{key} is not a string (id {ident!r})")
    if any(_SURROGATE.search(s) for s in (ident, text, *(v for v in fields.values() if v))):
        return Rejection(source, f"invalid Unicode (lone surrogate) (id {ident!r})")
    text, reason = _checked(text)
    if text is None:
        return Rejection(source, f"{reason} (id {ident!r})")
    try:
        web_iri(fields["url"])
    except ValueError as exc:
        return Rejection(source, f"{exc} (id {ident!r})")
    try:
        date = parse_date(record.get("date"))
    except ValueError as exc:
        return Rejection(source, f"{exc} (id {ident!r})")
    return Article(id=ident.strip(), text=text, url=fields["url"] or None,
                   title=fields["title"] or None, date=date, source=source)


_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")


def parse_date(value: object) -> dt.date | None:
    """An ISO date (a date-time keeps its date part) or None; anything else raises ValueError."""
    if value is None or value == "":
        return None
    match = _ISO.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"invalid date {value!r} (expected YYYY-MM-DD or null)")
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError:
        raise ValueError(f"invalid date {value!r} (expected YYYY-MM-DD or null)") from None
