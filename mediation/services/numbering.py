"""Case numbers: the centre's short name, the number's format and the locked counter."""

from django.db import transaction
from django.db.models import F

from governance.models import Area
from mediation.models import CaseCounter

_SUFFIXES = ("街道办事处", "街道", "社区", "乡镇", "镇", "乡", "村", "区", "县")


def centre_short_name(area: Area) -> str:
    """``幸福街道`` → ``幸福``: the centre's name as it stands in a case number."""
    name = area.name
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def format_number(*, centre: Area, year: int, sequence: int) -> str:
    return f"（{year}）{centre_short_name(centre)}调字第{sequence}号"


@transaction.atomic
def number_allocate(*, centre: Area, year: int) -> int:
    """The centre's next number this year: the counter row is locked (FOR UPDATE) until the
    caller's transaction ends, so concurrent registrations queue and a rollback returns the
    number — no gaps, no duplicates (the unique constraint on (centre, year, sequence) backs it)."""
    counter, _created = CaseCounter.objects.get_or_create(centre=centre, year=year)
    counter = CaseCounter.objects.select_for_update().get(pk=counter.pk)
    CaseCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return counter.last
