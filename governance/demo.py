"""Demo data of the core: one street, two communities, compounds, buildings, departments, party
organisations and one account per role, every name in Chinese and English. Idempotent: running it
again changes nothing new (it only gives an English name to a row seeded before there was one).

Apps add their own demo data in ``<app>/demo.py`` with ``seed(context)``; ``seed_demo`` calls
them after this one, passing the objects created here.
"""

from django.db import transaction

from governance import services
from governance.models import Area, Department, PartyOrganization, Post, Role, User

STREET_CODE = "XF"


def _area(name: str, name_en: str, code: str, level: str, parent: Area | None) -> Area:
    existing = Area.objects.filter(code=code).first()
    if existing is None:
        return services.area_create(name=name, name_en=name_en, code=code, level=level, parent=parent)
    if not existing.name_en:
        services.area_rename(area=existing, name=existing.name, name_en=name_en)
    return existing


def _department(name: str, name_en: str, code: str, kind: str, area: Area, phone: str) -> Department:
    existing = Department.objects.filter(code=code).first()
    if existing is None:
        return services.department_create(name=name, name_en=name_en, code=code, kind=kind, area=area, phone=phone)
    if not existing.name_en:
        services.department_update(
            department=existing,
            name=existing.name,
            name_en=name_en,
            code=existing.code,
            kind=existing.kind,
            area=existing.area,
            phone=existing.phone,
            is_active=existing.is_active,
        )
    return existing


def _party(name: str, name_en: str, level: str, area: Area, parent: PartyOrganization | None) -> PartyOrganization:
    existing = PartyOrganization.objects.filter(name=name, area=area).first()
    if existing is None:
        return services.party_organization_create(name=name, name_en=name_en, level=level, area=area, parent=parent)
    if not existing.name_en:
        services.party_organization_update(
            org=existing,
            name=existing.name,
            name_en=name_en,
            level=existing.level,
            area=existing.area,
            parent=existing.parent,
            secretary=existing.secretary,
        )
    return existing


def _account(username: str, password: str, full_name: str, phone: str, email: str, **flags) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = services.user_create(
            username=username, password=password, full_name=full_name, phone=phone, email=email, **flags
        )
    elif not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


# username, full name, role, phone, where (area code or department code)
ACCOUNTS = [
    ("admin", "赵管理", Role.ADMIN, "13800000001", "XF"),
    ("supervisor", "钱督办", Role.STREET_SUPERVISOR, "13800000002", "XF"),
    ("staff", "孙社区", Role.COMMUNITY_STAFF, "13800000003", "XF-DS"),
    ("staff_xy", "周社区", Role.COMMUNITY_STAFF, "13800000004", "XF-XY"),
    ("worker", "李网格", Role.GRID_WORKER, "13800000005", "XF-DS-01"),
    ("handler", "吴处置", Role.DEPARTMENT_HANDLER, "13800000006", "DEPT-SZ"),
    ("mediator", "郑调解", Role.MEDIATOR, "13800000007", "XF"),
    ("partner", "王合伙", Role.PARTNER, "13800000008", "XF-DS"),
    ("resident", "冯居民", Role.RESIDENT, "13800000009", "XF-DS-01-B1"),
]


@transaction.atomic
def seed(*, password: str) -> dict:
    district = _area("示范区", "Shifan District", "SF", Area.Level.DISTRICT, None)
    street = _area("幸福街道", "Xingfu Street", STREET_CODE, Area.Level.STREET, district)
    communities = {
        "XF-DS": _area("东升社区", "Dongsheng Community", "XF-DS", Area.Level.COMMUNITY, street),
        "XF-XY": _area("西苑社区", "Xiyuan Community", "XF-XY", Area.Level.COMMUNITY, street),
    }
    compounds = {}
    for community_code, names in {
        "XF-DS": [("东升花园", "Dongsheng Garden"), ("朝阳里", "Chaoyangli"), ("育才小区", "Yucai Estate")],
        "XF-XY": [("西苑新村", "Xiyuan New Village"), ("康乐家园", "Kangle Homes"), ("枫林苑", "Fenglin Court")],
    }.items():
        for index, (name, name_en) in enumerate(names, start=1):
            code = f"{community_code}-{index:02d}"
            compounds[code] = _area(name, name_en, code, Area.Level.COMPOUND, communities[community_code])
            for building in range(1, 4):
                _area(
                    f"{building}号楼",
                    f"Building {building}",
                    f"{code}-B{building}",
                    Area.Level.BUILDING,
                    compounds[code],
                )

    departments = {
        code: _department(name, name_en, code, kind, street, phone)
        for code, name, name_en, kind, phone in [
            ("DEPT-SZ", "街道市政所", "Street Municipal Works Office", Department.Kind.MUNICIPAL, "010-62000001"),
            (
                "DEPT-SW",
                "区水务局幸福街道站",
                "District Water Authority, Xingfu Street Station",
                Department.Kind.WATER,
                "010-62000002",
            ),
            (
                "DEPT-DL",
                "供电所幸福街道班组",
                "Power Supply Office, Xingfu Street Crew",
                Department.Kind.POWER,
                "010-62000003",
            ),
            ("DEPT-CG", "街道城管执法队", "Street Urban Management Team", Department.Kind.URBAN, "010-62000004"),
            (
                "DEPT-HB",
                "区生态环境局",
                "District Ecology and Environment Bureau",
                Department.Kind.ENVIRONMENT,
                "010-62000005",
            ),
            ("DEPT-WY", "幸福物业服务公司", "Xingfu Property Services", Department.Kind.PROPERTY, "010-62000006"),
            ("DEPT-MZ", "街道民政科", "Street Civil Affairs Section", Department.Kind.CIVIL, "010-62000007"),
        ]
    }

    for community_code, community in communities.items():
        committee = _party(
            f"{community.name}党委",
            f"{community.name_en} Party Committee",
            PartyOrganization.Level.COMMITTEE,
            community,
            None,
        )
        for compound in (c for code, c in compounds.items() if code.startswith(community_code)):
            branch = _party(
                f"{compound.name}党支部",
                f"{compound.name_en} Party Branch",
                PartyOrganization.Level.BRANCH,
                compound,
                committee,
            )
            building = Area.objects.get(code=f"{compound.code}-B1")
            group = _party(
                f"{compound.name}1号楼党小组",
                f"{compound.name_en} Building 1 Party Group",
                PartyOrganization.Level.GROUP,
                building,
                branch,
            )
            _party(
                f"{compound.name}1号楼党员中心户",
                f"{compound.name_en} Building 1 Party Member Household",
                PartyOrganization.Level.HOUSEHOLD,
                building,
                group,
            )

    accounts = {}
    for username, full_name, role, phone, where in ACCOUNTS:
        user = _account(
            username,
            password,
            full_name,
            phone,
            f"{username}@portal.local",
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        if where.startswith("DEPT-"):
            services.post_assign(user=user, role=role, department=departments[where])
        else:
            services.post_assign(user=user, role=role, area=Area.objects.get(code=where))
        accounts[username] = user

    return {
        "street": street,
        "communities": communities,
        "compounds": compounds,
        "departments": departments,
        "accounts": accounts,
        "password": password,
        "post_count": Post.objects.count(),
    }
