"""A realistic, deterministic demo territory: Chinese place names, codes, points and boundaries."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .bulk import TreeBuilder, rectangle, split_box
from .models import Kind, Node

DISTRICT_NAMES = [
    "东城区",
    "西城区",
    "南湖区",
    "北山区",
    "高新区",
    "滨江区",
    "江北区",
    "新城区",
    "临港区",
    "青山区",
    "金水区",
    "白云区",
]
STREET_WORDS = [
    "和平",
    "建设",
    "解放",
    "人民",
    "胜利",
    "光明",
    "幸福",
    "团结",
    "民主",
    "友谊",
    "红旗",
    "东风",
    "朝阳",
    "长安",
    "中山",
    "新华",
    "文化",
    "青年",
    "育才",
    "兴华",
    "振兴",
    "繁荣",
    "安居",
    "富民",
    "康乐",
    "春晖",
    "丰收",
    "锦绣",
    "桂花",
    "紫荆",
]
COMMUNITY_WORDS = [
    "花园",
    "北苑",
    "南苑",
    "东里",
    "西里",
    "新村",
    "家园",
    "佳苑",
    "翠苑",
    "馨园",
    "滨河",
    "枫林",
    "金桥",
    "银杏",
    "石榴",
    "梧桐",
    "牡丹",
    "海棠",
    "丁香",
    "玉兰",
    "荷塘",
    "湖畔",
    "望江",
    "观澜",
    "景秀",
]
ESTATE_WORDS = [
    "阳光",
    "翠湖",
    "碧水",
    "金色",
    "怡景",
    "龙湾",
    "天悦",
    "御景",
    "华府",
    "书香",
    "锦华",
    "嘉园",
    "瑞祥",
    "泰和",
    "盛世",
    "紫薇",
    "君悦",
    "星河",
    "名都",
    "绿洲",
]
ESTATE_SUFFIX = ["小区", "花园", "家园", "公寓", "雅苑", "新村"]


@dataclass(frozen=True)
class Scale:
    districts: int
    streets: int
    communities: int
    grids: int
    estates: int
    buildings: int
    units: int


SCALES = {
    "tiny": Scale(1, 1, 2, 2, 1, 2, 0),
    "small": Scale(3, 2, 3, 3, 2, 3, 2),
    "city": Scale(10, 10, 10, 20, 2, 4, 2),
}
CITY_BOX = (114.05, 30.35, 114.65, 30.75)  # a fictional city on the Yangtze's latitude


def build_demo_territory(scale: Scale, seed: int = 1, city_name: str = "示范市", city_code: str = "420100") -> Node:
    rng = random.Random(seed)
    builder = TreeBuilder()
    west, south, east, north = CITY_BOX
    city = builder.add(
        None,
        Kind.CITY,
        city_name,
        code=city_code,
        boundary=rectangle(*CITY_BOX),
        latitude=(south + north) / 2,
        longitude=(west + east) / 2,
    )

    def place(box: tuple[float, float, float, float], geometry: bool = True) -> dict:
        w, s, e, n = box
        fields: dict = {"latitude": round((s + n) / 2, 6), "longitude": round((w + e) / 2, 6)}
        if geometry:
            fields["boundary"] = rectangle(*(round(v, 6) for v in box))
        return fields

    street_words = STREET_WORDS[:]
    rng.shuffle(street_words)
    for d, dbox in enumerate(split_box(CITY_BOX, scale.districts)):
        dcode = f"{city_code[:4]}{d + 2:02d}"
        district = builder.add(
            city,
            Kind.DISTRICT,
            DISTRICT_NAMES[d % len(DISTRICT_NAMES)] + ("" if d < len(DISTRICT_NAMES) else str(d)),
            code=dcode,
            **place(dbox),
        )
        for s, sbox in enumerate(split_box(dbox, scale.streets)):
            word = street_words[(d * scale.streets + s) % len(street_words)]
            suffix = "" if d * scale.streets + s < len(street_words) else str(d * scale.streets + s)
            scode = f"{dcode}{s + 1:03d}"
            street = builder.add(district, Kind.STREET, f"{word}{suffix}街道", code=scode, **place(sbox))
            used: set[str] = set()
            for c, cbox in enumerate(split_box(sbox, scale.communities)):
                cword = COMMUNITY_WORDS[rng.randrange(len(COMMUNITY_WORDS))]
                name = f"{word}{cword}社区" if c else f"{word}社区"
                if name in used:  # names are unique under one parent
                    name = f"{word}{cword}{c + 1}社区"
                used.add(name)
                community = builder.add(street, Kind.COMMUNITY, name, code=f"{scode}{c + 1:03d}", **place(cbox))
                for g, gbox in enumerate(split_box(cbox, scale.grids)):
                    grid = builder.add(community, Kind.GRID, f"第{g + 1}网格", **place(gbox))
                    for e, ebox in enumerate(split_box(gbox, scale.estates)):
                        ename = rng.choice(ESTATE_WORDS) + rng.choice(ESTATE_SUFFIX)
                        estate = builder.add(
                            grid,
                            Kind.ESTATE,
                            f"{ename}{e + 1}期" if scale.estates > 1 else ename,
                            **place(ebox, geometry=False),
                        )
                        for b, bbox in enumerate(split_box(ebox, scale.buildings)):
                            building = builder.add(estate, Kind.BUILDING, f"{b + 1}号楼", **place(bbox, geometry=False))
                            for u in range(scale.units):
                                builder.add(building, Kind.UNIT, f"{u + 1}单元")
    builder.flush()
    return Node.objects.get(pk=city.pk)
