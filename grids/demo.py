"""Demo grids: three per community, rectangles side by side with GeoJSON boundaries."""

from datetime import timedelta

from django.utils import timezone

from governance.messages import message
from grids import services
from grids.models import DispatchRule, Event, EventCategory, Grid, SensorDevice, TimelineEntry
from grids.services import grid_save
from grids.services.scores import department_scores_compute

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
        "neighbour_dispute",
        "邻里纠纷",
        "Neighbour dispute",
        "矛盾纠纷",
        "邻里 纠纷 争吵 吵架 边界 堆物 漏水",
        "DEPT-MZ",
        [],
        720,
        4320,
    ),
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

# Categories whose events often turn into disputes: their open events count in mediation's early warning.
DISPUTE_PRONE = {"neighbour_dispute", "noise"}

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
                EventCategory.objects.filter(pk=category.pk).update(is_public=False, reportable_by_people=False)
        if code in DISPUTE_PRONE and not category.dispute_prone:
            EventCategory.objects.filter(pk=category.pk).update(dispute_prone=True)
        DispatchRule.objects.get_or_create(category=category, area=None, defaults={"department": departments[dept]})


# Points inside 东升社区第1网格 (the demo grid worker's grid) and 西苑社区第2网格.
DS_G1 = (116.3021, 39.9818)
XY_G2 = (116.3091, 39.9861)


def _event(
    context,
    *,
    category: str | None,
    description: str,
    point,
    reporter: str,
    address: str,
    steps: tuple[str, ...] = (),
    rating: int | None = None,
) -> Event | None:
    if Event.objects.filter(description=description).exists():
        return None
    accounts = context["accounts"]
    event = services.event_report(
        reporter=accounts[reporter],
        description=description,
        lon=point[0],
        lat=point[1],
        address=address,
        source=Event.Source.PATROL if reporter == "worker" else Event.Source.RESIDENT,
        category=EventCategory.objects.filter(service_code=category).first() if category else None,
    )
    staff, handler = accounts["staff"], accounts["handler"]
    for step in steps:
        if step == "accept":
            event = services.event_accept(event=event, actor=staff)
        elif step == "dispatch":
            event = services.event_dispatch(event=event, actor=staff, department=context["departments"]["DEPT-SZ"])
        elif step == "start":
            event = services.event_start(event=event, actor=handler, note="已安排人员到场")
        elif step == "resolve":
            event = services.event_resolve(event=event, actor=handler, resolution="已处理完毕，现场恢复正常")
    if rating is not None:
        event = services.event_rate(event=event, rating=rating, comment="处理及时，很满意")
    return event


def _events(context: dict) -> None:
    _event(
        context,
        category="manhole",
        description="东升花园北门井盖缺失，夜间行人容易踩空",
        point=DS_G1,
        reporter="worker",
        address="东升花园北门",
    )
    _event(
        context,
        category="streetlight",
        description="朝阳里3号楼前路灯不亮已一周",
        point=DS_G1,
        reporter="worker",
        address="朝阳里3号楼",
        steps=("accept", "dispatch"),
    )
    _event(
        context,
        category="road_damage",
        description="育才小区南门路面塌陷，有积水",
        point=DS_G1,
        reporter="worker",
        address="育才小区南门",
        steps=("accept", "dispatch", "start"),
    )
    _event(
        context,
        category="garbage",
        description="1号楼垃圾桶满溢，异味明显",
        point=DS_G1,
        reporter="resident",
        address="东升花园1号楼",
        steps=("accept", "dispatch", "start", "resolve"),
    )
    _event(
        context,
        category="illegal_parking",
        description="消防通道被私家车占用",
        point=DS_G1,
        reporter="resident",
        address="东升花园消防通道",
        steps=("accept", "dispatch", "start", "resolve"),
        rating=5,
    )
    _event(
        context,
        category=None,
        description="小区东侧水管爆管，一直在漏水",
        point=DS_G1,
        reporter="worker",
        address="东升花园东侧",
    )
    _event(
        context,
        category="neighbour_dispute",
        description="东升花园2号楼上下楼两户因空调外机滴水发生争执，多次争吵",
        point=DS_G1,
        reporter="worker",
        address="东升花园2号楼",
        steps=("accept",),
    )
    overdue = _event(
        context,
        category="noise",
        description="西苑新村夜间施工噪音扰民",
        point=XY_G2,
        reporter="resident",
        address="西苑新村5号楼",
    )
    if overdue is not None:
        # A report 50 hours without response: escalated to the community a day ago, and past that
        # level's deadline too, so beat at once escalates it to the street (the supervisor's 督办).
        now = timezone.now()
        Event.objects.filter(pk=overdue.pk).update(
            window_started_at=now - timedelta(hours=26),
            due_at=now - timedelta(hours=26),
            created_at=now - timedelta(hours=50),
            respond_by=now - timedelta(hours=2),
            remind_at=now - timedelta(hours=6, minutes=48),
            level=Event.Level.COMMUNITY,
        )
        # As the escalation scanner writes it: a message key, so the timeline reads in English too.
        services.timeline_add(
            event=overdue,
            kind=TimelineEntry.Kind.ESCALATION,
            level=Event.Level.COMMUNITY,
            note=message(
                "grids.note.escalated",
                level=Event.Level.COMMUNITY.label,
                deadline=timezone.localtime(now - timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"),
            ),
        )
    department_scores_compute(month=timezone.localdate())


def _sensors(context: dict) -> str | None:
    if SensorDevice.objects.filter(device_id="MC-001").exists():
        return None
    _device, token = services.sensor_register(
        device_id="MC-001",
        kind=SensorDevice.Kind.MANHOLE,
        lon=DS_G1[0],
        lat=DS_G1[1],
        category=EventCategory.objects.get(service_code="manhole"),
        name="东升花园北门井盖传感器",
        address="东升花园北门",
    )
    return token


def seed(context: dict) -> None:
    _categories(context)
    households = [420, 380, 460, 350, 490, 410]
    worker = context["accounts"]["worker"]
    for row, (community_code, community) in enumerate(context["communities"].items()):
        for column in range(3):
            number = row * 3 + column + 1
            code = f"{community_code}-G{column + 1}"
            name_en = f"{community.name_en} Grid {column + 1}"
            existing = Grid.objects.filter(code=code).first()
            if existing is not None:
                if not existing.name_en:  # seeded before grids had English names
                    grid_save(
                        code=existing.code,
                        name=existing.name,
                        name_en=name_en,
                        area=existing.area,
                        boundary=existing.boundary,
                        households=existing.households,
                        grid=existing,
                    )
                continue
            grid_save(
                code=code,
                name=f"{community.name}第{column + 1}网格",
                name_en=name_en,
                area=community,
                boundary=_rectangle(column, row),
                households=households[number - 1],
                workers=[worker] if number == 1 else [],
            )
    _events(context)
    token = _sensors(context)
    if token:
        context.setdefault("notes", []).append(f"Sensor MC-001 token (shown once): {token}")
