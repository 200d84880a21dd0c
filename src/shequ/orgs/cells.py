"""The vocabulary of organizations' spreadsheets: Chinese kind and post names, registration and status words,
credit codes, paths and lists of names.  The generic parsers (yes/no, codes, phones) live in ``core.cells``,
the identity number's in ``people.cells``; ``date_cell`` here reads dates of terms (至今, 2024年3月)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from shequ.core.cells import RowError, accepts, date_parser, text_cell
from shequ.core.text import squash

from .models import OrgKind, Registration, Title

# The name used in templates and exports (and accepted on import), then the other names people write.
KIND_NAMES: dict[str, str] = {
    OrgKind.STREET_COMMITTEE: "街道党工委",
    OrgKind.COMMUNITY_COMMITTEE: "社区党委",
    OrgKind.GENERAL_BRANCH: "党总支",
    OrgKind.BRANCH: "党支部",
    OrgKind.PARTY_GROUP: "党小组",
    OrgKind.FUNCTIONAL_GROUP: "功能型党小组",
    OrgKind.RESIDENTS_COMMITTEE: "居委会",
    OrgKind.OWNERS_COMMITTEE: "业委会",
    OrgKind.DEMOCRATIC_COUNCIL: "民主议事会",
    OrgKind.ESTATE_MANAGEMENT: "小区管理委员会",
    OrgKind.MANAGEMENT_GROUP: "管理小组",
    OrgKind.SERVICE_STATION: "综合服务站",
    OrgKind.SOCIAL: "社会组织",
    OrgKind.VOLUNTEER_STATION: "志愿者服务站",
    OrgKind.VOLUNTEER_TEAM: "志愿服务队",
    OrgKind.MEDIATION_COMMITTEE: "人民调解委员会",
    OrgKind.MEDIATION_STATION: "矛盾调解工作站",
    OrgKind.PROPERTY_COMPANY: "物业公司",
    OrgKind.RESIDENT_UNIT: "驻区单位",
    OrgKind.ALLIANCE: "党建联盟",
    OrgKind.NONPUBLIC_ENTERPRISE: "非公企业",
    OrgKind.NEW_SOCIAL_ORG: "新社会组织",
    OrgKind.OTHER: "其他",
}
KIND_SYNONYMS: dict[str, tuple[str, ...]] = {
    OrgKind.STREET_COMMITTEE: (
        "街道党工委",
        "街道党(工)委",
        "街道党委",
        "党工委",
        "街道党工作委员会",
        "街道党的工作委员会",
        "乡镇党委",
    ),
    OrgKind.COMMUNITY_COMMITTEE: ("社区党委", "党委", "社区党委员会", "社区党组织", "大党委", "村党委"),
    OrgKind.GENERAL_BRANCH: ("党总支", "社区党总支", "总支", "党总支部", "党的总支部委员会", "总支部"),
    OrgKind.BRANCH: (
        "党支部",
        "支部",
        "社区党支部",
        "小区党支部",
        "网格党支部",
        "楼宇党支部",
        "联合党支部",
        "党的支部委员会",
    ),
    OrgKind.PARTY_GROUP: ("党小组", "楼栋党小组", "楼院党小组"),
    OrgKind.FUNCTIONAL_GROUP: ("功能型党小组", "功能党小组", "功能性党小组"),
    OrgKind.RESIDENTS_COMMITTEE: ("居委会", "居民委员会", "社区居委会", "社区居民委员会", "村委会", "村民委员会"),
    OrgKind.OWNERS_COMMITTEE: ("业委会", "业主委员会", "业主大会"),
    OrgKind.DEMOCRATIC_COUNCIL: ("民主议事会", "议事会", "社区议事会", "居民议事会"),
    OrgKind.ESTATE_MANAGEMENT: ("小区管理委员会", "小区管委会", "管理委员会", "管委会"),
    OrgKind.MANAGEMENT_GROUP: ("管理小组", "两长四员", "两长四员管理小组", "小区管理小组"),
    OrgKind.SERVICE_STATION: (
        "综合服务站",
        "社区综合服务站",
        "社区服务站",
        "服务站",
        "一站式服务大厅",
        "党群服务中心",
        "社区党群服务中心",
    ),
    OrgKind.SOCIAL: ("社会组织", "社区社会组织", "社团", "协会"),
    OrgKind.VOLUNTEER_STATION: ("志愿者服务站", "志愿服务站", "志愿者站"),
    OrgKind.VOLUNTEER_TEAM: ("志愿服务队", "志愿者服务队", "志愿者队伍", "志愿队"),
    OrgKind.MEDIATION_COMMITTEE: ("人民调解委员会", "调解委员会", "调委会", "人民调委会"),
    OrgKind.MEDIATION_STATION: ("矛盾调解工作站", "调解工作站", "矛盾调处工作站", "调解站"),
    OrgKind.PROPERTY_COMPANY: ("物业公司", "物业服务企业", "物业服务公司", "物业企业", "物业管理公司", "物业"),
    OrgKind.RESIDENT_UNIT: ("驻区单位", "共建单位", "辖区单位", "驻社区单位"),
    OrgKind.ALLIANCE: ("党建联盟", "区域化党建联盟", "党建联合体", "联盟"),
    OrgKind.NONPUBLIC_ENTERPRISE: (
        "非公企业",
        "非公有制企业",
        "非公有制经济组织",
        "非公经济组织",
        "民营企业",
        "两新组织(非公企业)",
    ),
    OrgKind.NEW_SOCIAL_ORG: ("新社会组织", "两新组织(社会组织)", "新兴社会组织"),
    OrgKind.OTHER: ("其他", "其它"),
}
TITLE_NAMES: dict[str, str] = {
    Title.SECRETARY: "书记",
    Title.DEPUTY_SECRETARY: "副书记",
    Title.FIRST_SECRETARY: "第一书记",
    Title.DIRECTOR: "主任",
    Title.DEPUTY_DIRECTOR: "副主任",
    Title.MEMBER: "委员",
    Title.PART_TIME_MEMBER: "兼职委员",
    Title.STATION_HEAD: "站长",
    Title.GROUP_LEADER: "组长",
    Title.BUILDING_HEAD: "楼栋长",
    Title.GRID_WORKER: "网格员",
    Title.HEALTH_MEMBER: "卫生委员",
    Title.SECURITY_MEMBER: "治安委员",
    Title.CULTURE_MEMBER: "文体委员",
    Title.PROPERTY_MANAGER: "物业管理员",
    Title.CAPTAIN: "队长",
    Title.MANAGER: "经理",
    Title.MEDIATOR: "调解员",
    Title.LIAISON: "联络员",
    Title.STAFF: "工作人员",
}
TITLE_SYNONYMS: dict[str, tuple[str, ...]] = {
    Title.SECRETARY: ("书记", "党委书记", "总支书记", "支部书记", "党支部书记", "党总支书记", "党工委书记"),
    Title.DEPUTY_SECRETARY: ("副书记", "党委副书记", "总支副书记", "支部副书记", "党工委副书记"),
    Title.FIRST_SECRETARY: ("第一书记",),
    Title.DIRECTOR: ("主任", "居委会主任", "社区主任", "主席", "会长", "理事长", "负责人"),
    Title.DEPUTY_DIRECTOR: ("副主任", "居委会副主任", "副主席", "副会长", "副理事长"),
    Title.MEMBER: ("委员", "成员", "党委委员", "居委会委员", "组员"),
    Title.PART_TIME_MEMBER: ("兼职委员", "兼职成员"),
    Title.STATION_HEAD: ("站长", "服务站站长", "综合服务站站长", "中心主任"),
    Title.GROUP_LEADER: ("组长", "党小组长", "党小组组长", "小组长"),
    Title.BUILDING_HEAD: ("楼栋长", "楼长", "单元长"),
    Title.GRID_WORKER: ("网格员", "专职网格员", "网格长"),
    Title.HEALTH_MEMBER: ("卫生委员", "卫生员"),
    Title.SECURITY_MEMBER: ("治安委员", "治安员", "安全员"),
    Title.CULTURE_MEMBER: ("文体委员", "文体员"),
    Title.PROPERTY_MANAGER: ("物业管理员", "物管员"),
    Title.CAPTAIN: ("队长", "志愿服务队队长"),
    Title.MANAGER: ("经理", "总经理", "项目经理"),
    Title.MEDIATOR: ("调解员", "人民调解员"),
    Title.LIAISON: ("联络员", "联系人"),
    Title.STAFF: ("工作人员", "干事", "社工", "社区工作者"),
}
REGISTRATION_WORDS = {
    **dict.fromkeys(("登记", "已登记", "民政登记", "注册", "已注册", "registered"), Registration.REGISTERED),
    **dict.fromkeys(("备案", "已备案", "社区备案", "filed"), Registration.FILED),
    **dict.fromkeys(("无", "未登记", "未备案", "否", "none"), ""),
}
ACTIVE_WORDS = {"在册", "正常", "存续", "有效", "运行", "在运行", "active"}
DISSOLVED_WORDS = {"撤销", "已撤销", "解散", "已解散", "注销", "已注销", "撤并", "dissolved"}
OPEN_END_WORDS = {"至今", "今", "现在", "现任", "在任"}


def _words(table: dict[str, tuple[str, ...]], names: dict[str, str]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for value, words in table.items():
        for word in (*words, names.get(value, ""), value):
            if word:
                lookup.setdefault(_key(word), value)
    return lookup


def _key(text: str) -> str:
    return squash(text).replace("（", "(").replace("）", ")").replace("“", "").replace("”", "")


KIND_WORDS = _words(KIND_SYNONYMS, KIND_NAMES)
TITLE_WORDS = _words(TITLE_SYNONYMS, TITLE_NAMES)


def kind_cell(value: Any) -> str:
    text = text_cell(value)
    if not text:
        return ""
    kind = KIND_WORDS.get(_key(text))
    if kind is None:
        raise RowError(
            _("Unknown kind of organization “%(value)s”: use one of %(names)s.")
            % {"value": text, "names": "、".join(KIND_NAMES.values())}
        )
    return kind


def title_cell(value: Any) -> tuple[str, str]:
    """(title, free text): a known post, or "other" with the words as typed."""
    text = text_cell(value)
    if not text:
        return ("", "")
    title = TITLE_WORDS.get(_key(text))
    if title is not None:
        return (title, "")
    return (Title.OTHER, text[:50])


def registration_cell(value: Any) -> str | None:
    text = text_cell(value)
    if not text:
        return None
    found = REGISTRATION_WORDS.get(_key(text))
    if found is None:
        raise RowError(_("“%(value)s”: write 登记 (registered) or 备案 (filed).") % {"value": text})
    return found


def status_cell(value: Any) -> bool | None:
    """True for active, False for dissolved, None when empty."""
    text = _key(text_cell(value))
    if not text:
        return None
    if text in ACTIVE_WORDS:
        return True
    if text in DISSOLVED_WORDS:
        return False
    raise RowError(_("“%(value)s”: write 在册 (active) or 撤销 (dissolved).") % {"value": value})


def uscc_cell(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise RowError(
            _(
                "The code was saved by Excel as a number and has lost digits; "
                "format the column as text and type it again."
            )
        )
    return text_cell(value).replace(" ", "").replace("-", "").upper()


accepts(kind_cell, lambda: _("One of: %(names)s.") % {"names": "、".join(KIND_NAMES.values())})
accepts(registration_cell, lambda: _("登记 (registered with civil affairs), 备案 (filed with the community) or empty."))
accepts(status_cell, lambda: _("在册 (active) or 撤销 (dissolved); empty: active."))
accepts(uscc_cell, lambda: _("The 18-character unified social credit code, typed as text."))

# Dates of terms and contracts: 2024年3月 is the first of the month, 至今 (still running) no date, and a bare
# year such as 2024 is not read as a serial date.
date_cell = date_parser(month_only=True, open_words=OPEN_END_WORDS, min_serial=10000)


_PATH_SEPARATORS = re.compile(r"\s*(?:/|\\|>|＞|／|→)\s*")
_LIST_SEPARATORS = re.compile(r"\s*(?:、|,|，|;|；|\n)\s*")


def split_path(text: str) -> list[str]:
    return [p for p in _PATH_SEPARATORS.split(text.strip()) if p]


def split_list(text: str) -> list[str]:
    return [p for p in _LIST_SEPARATORS.split(text.strip()) if p]
