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


# Full-width digits, Latin letters and the ideographic space become ASCII; Chinese punctuation
# such as （） stays as typed (it is part of names).
_FULLWIDTH = {
    cp: cp - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)) for cp in range(r[0], r[1] + 1)
}
_FULLWIDTH.update({0x3000: 0x20, 0xFF0E: 0x2E, 0xFF0D: 0x2D, 0xA0: 0x20})


def normalize(text: object) -> str:
    """Full-width digits and letters to ASCII, whitespace trimmed at both ends."""
    if text is None:
        return ""
    return str(text).translate(_FULLWIDTH).strip()


def squash(text: object) -> str:
    """NFKC, without any whitespace and lower-cased: for matching headers and keywords."""
    if text is None:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).lower()
