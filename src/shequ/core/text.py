"""Text helpers: pinyin for search, tolerant normalisation of what people type."""

from __future__ import annotations

import unicodedata

from pypinyin import lazy_pinyin


def pinyin_of(text: str) -> tuple[str, str]:
    """Full pinyin without tones ("zhangsan") and initials ("zs") of a Chinese text."""
    if not text:
        return "", ""
    syllables = [s.lower() for s in lazy_pinyin(text, errors="default") if s.strip()]
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s)
    return full[:255], initials[:100]


def normalize(text: object) -> str:
    """NFKC (full-width to half-width), stray whitespace removed at both ends."""
    if text is None:
        return ""
    return unicodedata.normalize("NFKC", str(text)).strip()


def squash(text: object) -> str:
    """Normalised, without any whitespace and lower-cased: for matching headers and names."""
    return "".join(normalize(text).split()).lower()
