"""Demo grids: three per community, rectangles side by side with GeoJSON boundaries."""

from grids.models import Grid
from grids.services import grid_save

ORIGIN_LON, ORIGIN_LAT = 116.3000, 39.9800
WIDTH, HEIGHT = 0.0060, 0.0045


def _rectangle(column: int, row: int) -> dict:
    west = round(ORIGIN_LON + column * WIDTH, 6)
    south = round(ORIGIN_LAT + row * HEIGHT, 6)
    east, north = round(west + WIDTH, 6), round(south + HEIGHT, 6)
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]]}


def seed(context: dict) -> None:
    households = [420, 380, 460, 350, 490, 410]
    worker = context["accounts"]["worker"]
    for row, (community_code, community) in enumerate(context["communities"].items()):
        for column in range(3):
            number = row * 3 + column + 1
            code = f"{community_code}-G{column + 1}"
            if Grid.objects.filter(code=code).exists():
                continue
            grid, _warnings = grid_save(
                code=code, name=f"{community.name}第{column + 1}网格", area=community,
                boundary=_rectangle(column, row), households=households[number - 1],
                workers=[worker] if number == 1 else [],
            )
