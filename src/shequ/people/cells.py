"""The vocabulary of residents' spreadsheets: the words offices write for each choice, and the parsers of
what only people's sheets hold (identity numbers, ethnic groups, special-care tags).  The generic parsers
live in ``core.cells``; ``code_cell`` and ``phone_cell`` are re-exported from there."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shequ.core.cells import RowError, accepts, text_cell
from shequ.core.cells import code_cell as code_cell  # (re-exported for the importers)
from shequ.core.cells import phone_cell as phone_cell
from shequ.core.text import normalize

from .identity import ID_LENGTH, Identity, IdentityError, checked_identity, normalize_id, parse_identity
from .models import ETHNICITIES

# The words offices write for each choice; the first is what an export writes.
Words = Mapping[str, tuple[str, ...]]

GENDER_WORDS: Words = {"M": ("男", "男性", "m", "1"), "F": ("女", "女性", "f", "2")}
POLITICAL_WORDS: Words = {
    "party_member": ("中共党员", "党员", "中国共产党党员"),
    "probationary": ("中共预备党员", "预备党员"),
    "league_member": ("共青团员", "团员"),
    "democratic_party": (
        "民主党派", "民主党派成员", "民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社", "台盟",
    ),
    "masses": ("群众", "无党派人士", "无党派", "无"),
}  # fmt: skip
EDUCATION_WORDS: Words = {
    "none": ("未上学", "文盲", "无", "半文盲"),
    "primary": ("小学",),
    "junior": ("初中",),
    "senior": ("高中", "中专", "职高", "技校", "高中/中专"),
    "college": ("大专", "专科", "大学专科"),
    "bachelor": ("本科", "大学本科", "大学"),
    "master": ("硕士", "研究生", "硕士研究生"),
    "doctor": ("博士", "博士研究生"),
}
EMPLOYMENT_WORDS: Words = {
    "employed": ("在职", "就业", "在业", "在岗"),
    "self_employed": ("个体", "自由职业", "个体经营", "灵活就业"),
    "unemployed": ("失业", "待业", "无业"),
    "retired": ("退休", "离退休", "离休"),
    "student": ("学生", "在校学生", "在读"),
    "other": ("其他",),
}
RESIDENCE_WORDS: Words = {
    "registered": ("户籍", "户籍人口", "常住", "常住人口", "本地户籍"),
    "floating": ("流动", "流动人口", "暂住", "外来人口"),
    "left": ("人户分离", "户在人不在", "外出", "外出人口"),
}
RELATION_WORDS: Words = {
    "head": ("户主", "本人"),
    "spouse": ("配偶", "妻", "夫", "妻子", "丈夫"),
    "child": ("子女", "子", "女", "儿子", "女儿", "长子", "次子", "长女", "次女", "独子", "独女"),
    "parent": ("父母", "父亲", "母亲", "父", "母"),
    "grandchild": ("孙子女", "孙子", "孙女", "外孙子", "外孙女", "外孙"),
    "grandparent": ("祖父母", "祖父", "祖母", "外祖父", "外祖母"),
    "sibling": ("兄弟姐妹", "兄", "弟", "姐", "妹", "哥哥", "弟弟", "姐姐", "妹妹"),
    "child_in_law": ("儿媳", "女婿", "媳妇"),
    "relative": ("其他亲属", "亲属"),
    "other": ("其他", "非亲属", "保姆", "租户"),
}
ETHNICITY_SET = set(ETHNICITIES)
TAG_SPLIT = re.compile(r"\s*[、,，;；/|\s]\s*")


def identity_cell(value: Any) -> Identity | None:
    """The checked identity number of a cell (``identity.parse_identity``); None when empty."""
    if value is None:
        return None
    try:
        if isinstance(value, str):  # normalised once: empty after it is an empty cell
            text = normalize_id(value)
            return checked_identity(text) if text else None
        return parse_identity(value)
    except IdentityError as exc:
        raise RowError(exc.message, exc.code) from None


def id_number_cell(value: Any) -> str:
    """The identity number as text: checked as ``identity_cell`` does ('' when empty), except that a masked
    number (``110101********123X``, from an export without the right to see full numbers) is kept as it is,
    to find a resident by it."""
    if isinstance(value, str) and "*" in value:
        text = normalize_id(value)
        if len(text) != ID_LENGTH:
            raise RowError(
                _("An identity number has 18 characters; this one has %(count)d.") % {"count": len(text)},
                code="id_length",
            )
        return text
    identity = identity_cell(value)
    return identity.number if identity is not None else ""


def ethnicity_cell(value: Any) -> str:
    text = text_cell(value).replace(" ", "")
    if not text:
        return ""
    if text not in ETHNICITY_SET and f"{text}族" in ETHNICITY_SET:
        text = f"{text}族"
    if text not in ETHNICITY_SET:
        raise RowError(_("“%(value)s” is not one of the 56 ethnic groups.") % {"value": text}, code="bad_choice")
    return text


def tags_cell(value: Any) -> list[str]:
    text = normalize(value)
    return [t for t in TAG_SPLIT.split(text) if t] if text else []


def _tags_accepted() -> str:
    from .models import CareTag

    names = list(CareTag.objects.filter(active=True).order_by("name").values_list("name", flat=True)[:30])
    text = _("Names of special-care tags, separated by 、 or a comma.")
    if names:
        text += " " + _("The list is: %(tags)s.") % {"tags": "、".join(names)}
    return text


_IDENTITY = gettext_noop(
    "18 characters with a correct check digit (the last may be X), typed as text: Excel keeps only 15 digits of a"
    " number."
)
accepts(identity_cell, lambda: _(_IDENTITY))
accepts(
    id_number_cell,
    lambda: _(_IDENTITY) + " " + _("A masked number from an export (110101********123X) finds the person."),
)
accepts(ethnicity_cell, lambda: _("One of the 56 ethnic groups (汉族, 回族 …); 族 may be left out."))
accepts(tags_cell, _tags_accepted)


def first_word(words: Words, value: str) -> str:
    return words[value][0] if value in words else ""
