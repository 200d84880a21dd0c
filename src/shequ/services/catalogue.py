"""The standard service catalogue (editable afterwards): deadline tiers, categories, extra questions.

Installed by a data migration; ``install_standard_catalogue`` adds only what is missing, so edits stay.
"""

from __future__ import annotations

from typing import Any

TIERS = [
    # code, name, amount, unit
    ("emergency", "紧急", 2, "hours"),
    ("utilities", "水电气暖", 24, "working_hours"),
    ("general", "一般", 7, "working_days"),
    ("complex", "复杂", 15, "working_days"),
]

SCOPE = [
    {"key": "household", "name": "单户"},
    {"key": "building", "name": "整栋楼"},
    {"key": "estate", "name": "整个小区"},
]
TIME_OF_DAY = [{"key": "day", "name": "白天"}, {"key": "evening", "name": "夜间(22时后)"}]

# code, name, tier, description, keywords, children: [(code, name, tier or None, [attributes])]
# attribute: (code, label, datatype, required, values)
# Which categories are not public is decided below (PRIVATE), by code.
CATEGORIES: list[tuple[str, str, str, str, str, list[tuple[str, str, str | None, list[Any]]]]] = [
    (
        "water",
        "供水",
        "utilities",
        "停水、漏水、水质",
        "自来水,停水,漏水",
        [
            (
                "water-outage",
                "停水",
                None,
                [
                    ("scope", "影响范围", "singlevaluelist", True, SCOPE),
                    ("since", "开始时间", "datetime", False, []),
                ],
            ),
            ("water-burst", "管道破裂", "emergency", [("location", "破裂位置", "string", True, [])]),
            ("water-quality", "水质问题", None, [("symptom", "现象(浑浊、异味等)", "string", False, [])]),
        ],
    ),
    (
        "power",
        "供电",
        "utilities",
        "停电、线路隐患",
        "电,停电",
        [
            ("power-outage", "停电", None, [("scope", "影响范围", "singlevaluelist", True, SCOPE)]),
            ("power-hazard", "线路隐患", "emergency", [("location", "隐患位置", "string", True, [])]),
        ],
    ),
    (
        "heating",
        "供暖",
        "utilities",
        "室温不达标、暖气漏水",
        "暖气,供暖",
        [
            ("heating-cold", "室温不达标", None, [("temperature", "室内温度(℃)", "number", False, [])]),
            ("heating-leak", "暖气漏水", "emergency", []),
        ],
    ),
    (
        "property",
        "物业管理",
        "general",
        "公共设施维修、物业收费、停车",
        "物业",
        [
            ("property-repair", "公共设施维修", None, [("facility", "设施(电梯、门禁、路灯等)", "string", True, [])]),
            ("property-fees", "物业收费", None, []),
            ("property-parking", "停车管理", None, []),
        ],
    ),
    (
        "sanitation",
        "环境卫生",
        "general",
        "垃圾清运、绿化、噪声",
        "垃圾,卫生,噪声",
        [
            ("garbage", "垃圾清运", None, []),
            ("greening", "绿化养护", None, []),
            ("noise", "噪声扰民", None, [("time_of_day", "发生时段", "singlevaluelist", False, TIME_OF_DAY)]),
        ],
    ),
    (
        "security",
        "公共安全",
        "general",
        "消防隐患、治安隐患",
        "安全,消防",
        [
            ("fire-hazard", "消防隐患", "emergency", [("location", "隐患位置", "string", True, [])]),
            ("public-order", "治安隐患", None, []),
        ],
    ),
    (
        "disputes",
        "矛盾纠纷",
        "complex",
        "邻里、物业、家庭纠纷",
        "纠纷,调解",
        [
            ("neighbour-dispute", "邻里纠纷", None, []),
            ("property-dispute", "物业纠纷", None, []),
            ("family-dispute", "家庭纠纷", None, []),
        ],
    ),
    (
        "elderly",
        "养老服务",
        "general",
        "居家养老、助餐、探访",
        "养老,老人",
        [
            ("home-care", "居家养老", None, []),
            ("meal-assist", "老年助餐", None, []),
        ],
    ),
    (
        "employment",
        "就业服务",
        "general",
        "求职登记、职业培训",
        "就业,培训",
        [
            ("job-seeking", "求职登记", None, []),
            ("job-training", "职业培训", None, []),
        ],
    ),
    (
        "assistance",
        "社会救助",
        "complex",
        "低保、临时救助、困难帮扶",
        "低保,救助",
        [
            ("subsistence", "低保申请", None, []),
            ("temporary-aid", "临时救助", None, []),
        ],
    ),
    (
        "consultation",
        "政策咨询",
        "general",
        "政策、办事指南咨询",
        "咨询",
        [
            ("policy", "政策咨询", None, []),
        ],
    ),
]


# Not public: social assistance, disputes, health and care, employment, personal consultations, and matters
# that name a neighbour (noise, public order).  Their requests never appear in a public feed.
PRIVATE = frozenset(
    {
        "disputes",
        "neighbour-dispute",
        "property-dispute",
        "family-dispute",
        "elderly",
        "home-care",
        "meal-assist",
        "employment",
        "job-seeking",
        "job-training",
        "assistance",
        "subsistence",
        "temporary-aid",
        "consultation",
        "policy",
        "noise",
        "public-order",
    }
)


def install_standard_catalogue(apps: Any = None) -> dict[str, int]:
    """Create the tiers, categories and questions that do not exist yet (by code): three queries when
    they all do."""
    if apps is None:
        from django.apps import apps as registry

        apps = registry
    Tier = apps.get_model("services", "DeadlineTier")
    Category = apps.get_model("services", "ServiceCategory")
    Attribute = apps.get_model("services", "ServiceAttribute")
    # An early migration installs the catalogue before categories had the public flag.
    has_public = any(f.name == "public" for f in Category._meta.get_fields())

    def public(code: str) -> dict[str, bool]:
        return {"public": code not in PRIVATE} if has_public else {}

    tiers = {t.code: t for t in Tier.objects.all()}
    for code, name, amount, unit in TIERS:
        if code not in tiers:
            tiers[code] = Tier.objects.create(code=code, name=name, amount=amount, unit=unit)
    categories = {c.code: c for c in Category.objects.all()}
    answered = set(Attribute.objects.values_list("category_id", "code"))
    count = 0

    def category(code: str, **fields: Any) -> Any:
        nonlocal count
        if code not in categories:
            categories[code] = Category.objects.create(code=code, **fields, **public(code))
            count += 1
        return categories[code]

    for order, (code, name, tier, description, keywords, children) in enumerate(CATEGORIES):
        parent = category(code, name=name, tier=tiers[tier], description=description, keywords=keywords, order=order)
        for child_order, (child_code, child_name, child_tier, attributes) in enumerate(children):
            child = category(
                child_code,
                name=child_name,
                parent=parent,
                tier=tiers[child_tier] if child_tier else None,
                order=child_order,
            )
            for attr_order, (attr_code, label, datatype, required, values) in enumerate(attributes):
                if (child.pk, attr_code) not in answered:
                    Attribute.objects.create(
                        category=child,
                        code=attr_code,
                        label=label,
                        datatype=datatype,
                        required=required,
                        values=values,
                        order=attr_order,
                    )
    return {"service categories": count}


def mark_private_categories(apps: Any = None) -> int:
    """Make the standard catalogue's private categories (``PRIVATE``) not public; for databases whose
    catalogue was installed before categories had the flag."""
    if apps is None:
        from django.apps import apps as registry

        apps = registry
    Category = apps.get_model("services", "ServiceCategory")
    return int(Category.objects.filter(code__in=PRIVATE).update(public=False))
