"""Demo grids: three per community, rectangles side by side with GeoJSON boundaries."""

from grids.models import DispatchRule, EventCategory, Grid
from grids.services import grid_save

# service_code, name, English name, group, keywords, responsible department, cc, response min, resolution min
CATEGORIES = [
    ("manhole", "井盖破损", "Broken manhole cover", "市政设施", "井盖 窨井 下水道", "DEPT-SZ", ["DEPT-CG"], 1440, 4320),
    ("road_damage", "道路破损", "Road damage", "市政设施", "路面 坑洼 塌陷 道路", "DEPT-SZ", [], 1440, 7200),
    ("streetlight", "路灯不亮", "Streetlight out", "市政设施", "路灯 灯不亮 照明", "DEPT-DL", [], 1440, 4320),
    ("water_leak", "管道漏水", "Water leak", "水电气", "漏水 水管 爆管 停水", "DEPT-SW", [], 720, 2880),
    (
        "garbage",
        "垃圾堆积",
        "Garbage pile-up",
        "环境卫生",
        "垃圾 堆积 满溢 异味 垃圾桶",
        "DEPT-WY",
        ["DEPT-CG"],
        1440,
        2880,
    ),
    ("illegal_parking", "乱停乱放", "Illegal parking", "城市管理", "停车 占道 乱停", "DEPT-CG", [], 1440, 2880),
    ("noise", "噪音扰民", "Noise", "环境卫生", "噪音 施工 扰民 广场舞", "DEPT-HB", [], 1440, 4320),
    (
        "elderly_alarm",
        "老人紧急呼叫",
        "Elderly emergency alarm",
        "民生服务",
        "手环 呼叫 老人 摔倒",
        "DEPT-MZ",
        [],
        15,
        120,
    ),
]

ORIGIN_LON, ORIGIN_LAT = 116.3000, 39.9800
WIDTH, HEIGHT = 0.0060, 0.0045


def _rectangle(column: int, row: int) -> dict:
    west = round(ORIGIN_LON + column * WIDTH, 6)
    south = round(ORIGIN_LAT + row * HEIGHT, 6)
    east, north = round(west + WIDTH, 6), round(south + HEIGHT, 6)
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


def _categories(context: dict) -> None:
    departments = context["departments"]
    for code, name, name_en, group, keywords, dept, cc, response, resolution in CATEGORIES:
        category, created = EventCategory.objects.get_or_create(
            service_code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "group": group,
                "keywords": keywords,
                "department": departments[dept],
                "response_minutes": response,
                "resolution_minutes": resolution,
            },
        )
        if created:
            category.cc_departments.set([departments[c] for c in cc])
            if code == "elderly_alarm":  # a person's home and health: never published
                EventCategory.objects.filter(pk=category.pk).update(is_public=False)
        DispatchRule.objects.get_or_create(category=category, area=None, defaults={"department": departments[dept]})


def seed(context: dict) -> None:
    _categories(context)
    households = [420, 380, 460, 350, 490, 410]
    worker = context["accounts"]["worker"]
    for row, (community_code, community) in enumerate(context["communities"].items()):
        for column in range(3):
            number = row * 3 + column + 1
            code = f"{community_code}-G{column + 1}"
            if Grid.objects.filter(code=code).exists():
                continue
            grid_save(
                code=code,
                name=f"{community.name}第{column + 1}网格",
                area=community,
                boundary=_rectangle(column, row),
                households=households[number - 1],
                workers=[worker] if number == 1 else [],
            )
