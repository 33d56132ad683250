"""Byte encodings of Vietnamese text that the corpus reader must recognise (shared by the tests)."""
from __future__ import annotations

import unicodedata

TONES = "\u0300\u0301\u0303\u0309\u0323"  # the five tone marks as combining characters


def cp1258(text: str) -> bytes:
    """Vietnamese as Windows-1258 writes it: base letters precomposed, tones as combining marks."""
    out, base, tones = [], "", ""
    for ch in unicodedata.normalize("NFD", text) + "\0":
        if ch in TONES:
            tones += ch
        elif unicodedata.combining(ch):
            base += ch
        else:
            out.append(unicodedata.normalize("NFC", base) + tones)
            base, tones = ch, ""
    return "".join(out).encode("cp1258")
