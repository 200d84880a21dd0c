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


# Surnames read otherwise than their characters' most common reading (曾 is "zeng" as a surname,
# not "ceng"); compound surnames first.
_COMPOUND_SURNAMES = {
    "万俟": ("mo", "qi"),
    "尉迟": ("yu", "chi"),
    "单于": ("chan", "yu"),
    "长孙": ("zhang", "sun"),
    "澹台": ("tan", "tai"),
    "令狐": ("ling", "hu"),
}
_SURNAMES = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "区": "ou",
    "尉": "yu",
    "乐": "yue",
    "盖": "ge",
    "繁": "po",
    "种": "chong",
    "缪": "miao",
    "覃": "qin",
    "秘": "bi",
    "翟": "zhai",
    "祭": "zhai",
    "召": "shao",
    "员": "yun",
    "折": "she",
    "薄": "bo",
    "长": "chang",
    "重": "chong",
    "都": "du",
}
_char_pinyin: dict[str, str] = {}


def _syllable(char: str) -> str:
    found = _char_pinyin.get(char)
    if found is None:
        if char.isascii():
            found = char.lower() if char.isalnum() else ""
        else:
            found = "".join(s.lower() for s in lazy_pinyin(char, errors="ignore") if s.isalnum())
        _char_pinyin[char] = found
    return found


def name_pinyin(name: str) -> tuple[str, str]:
    """Pinyin and initials of a person's name ("zengwei", "zw" for 曾伟): the surname read as a surname,
    every other character by its usual reading.  Character by character, so a million names cost little."""
    name = "".join(name.split())
    if not name:
        return "", ""
    syllables: list[str] = []
    rest = name
    compound = _COMPOUND_SURNAMES.get(name[:2])
    if compound is not None and len(name) > 2:
        syllables.extend(compound)
        rest = name[2:]
    elif name[0] in _SURNAMES and len(name) > 1:
        syllables.append(_SURNAMES[name[0]])
        rest = name[1:]
    syllables.extend(_syllable(c) for c in rest)
    syllables = [s for s in syllables if s]
    return "".join(syllables)[:255], "".join(s[0] for s in syllables)[:100]


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
    text = str(text)
    if text.isascii():  # nothing to translate (most cells of a large import): skip the table
        return text.strip()
    return text.translate(_FULLWIDTH).strip()


def squash(text: object) -> str:
    """NFKC, without any whitespace and lower-cased: for matching headers and keywords."""
    if text is None:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).lower()
