"""No two active grids cover the same ground: a point must belong to one grid. Neighbours may
share an edge or a corner; a boundary that overlaps another active grid is refused, naming it.

Areas are literal: a 0.01° square at latitude 39.98–39.99 covers 947,372 m² (0.0001 deg² ×
111,195 m/° × 111,195 m/° × cos 39.985°)."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from grids import services
from grids.geo import overlap_area_m2
from grids.models import Grid
from tests.grids.conftest import square

A = square(116.30, 39.98)
HALF_OVER_EAST = (
    "边界与已启用的网格“东升第一网格”（DS-G1，约 473,686 平方米）重叠。相邻网格可以共用边线，但不能重叠，请调整边界。"
)


def _polygon(*points) -> dict:
    return {"type": "Polygon", "coordinates": [[*map(list, points), list(points[0])]]}


# --- The geometry (pure Python) -------------------------------------------------------------

OVERLAPS = [
    ("half over it", square(116.305, 39.98), 473_686),
    ("the same square", square(116.30, 39.98), 947_372),
    ("contained", square(116.302, 39.982, 0.002), 37_896),
    ("containing", square(116.29, 39.97, 0.03), 947_372),
    ("sharing the east edge", square(116.31, 39.98), 0),
    ("sharing the north edge", square(116.30, 39.99), 0),
    ("sharing half an edge", square(116.31, 39.985), 0),
    ("touching at a corner", square(116.31, 39.99), 0),
    ("disjoint", square(116.40, 39.98), 0),
    # a diamond on the square's east edge: the triangle (116.30,39.99) (116.31,39.98) (116.31,39.99)
    ("edges crossing", _polygon((116.31, 39.98), (116.32, 39.99), (116.31, 40.00), (116.30, 39.99)), 473_686),
    # a U open to the north, the square standing in its notch: shares three edges, no ground
    (
        "in a U's notch",
        _polygon(
            (116.29, 39.97), (116.32, 39.97), (116.32, 39.99), (116.31, 39.99), (116.31, 39.98),
            (116.30, 39.98), (116.30, 39.99), (116.29, 39.99),
        ),
        0,
    ),
    # the same U with its east arm 0.001° wider into the notch: a 0.001° × 0.01° strip
    (
        "poking into a U's arm",
        _polygon(
            (116.29, 39.97), (116.32, 39.97), (116.32, 39.99), (116.309, 39.99), (116.309, 39.98),
            (116.30, 39.98), (116.30, 39.99), (116.29, 39.99),
        ),
        94_737,
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "other", "m2"), OVERLAPS, ids=[row[0] for row in OVERLAPS])
def test_overlap_area(name, other, m2):
    assert overlap_area_m2(A, other) == pytest.approx(m2, abs=1)
    assert overlap_area_m2(other, A) == pytest.approx(m2, abs=1)


def test_a_hole_is_not_ground_the_grid_covers():
    with_hole = {
        "type": "Polygon",
        "coordinates": [
            square(116.29, 39.97, 0.03)["coordinates"][0],
            [[116.30, 39.98], [116.30, 39.99], [116.31, 39.99], [116.31, 39.98], [116.30, 39.98]],
        ],
    }
    assert overlap_area_m2(with_hole, A) == pytest.approx(0, abs=1)  # standing in the hole
    assert overlap_area_m2(with_hole, square(116.305, 39.98)) == pytest.approx(473_686, abs=1)


# --- grid_save ----------------------------------------------------------------------------


def _new(area_tree, code: str, boundary: dict, name: str = "新网格"):
    return services.grid_save(code=code, name=name, area=area_tree["east"], boundary=boundary)


@pytest.mark.django_db
def test_a_grid_overlapping_an_active_grid_is_refused_naming_it(east_grid, area_tree):
    with pytest.raises(ValidationError) as caught:
        services.grid_save(code="DS-G2", name="东升第二网格", area=area_tree["east"], boundary=square(116.305, 39.98))
    assert caught.value.message_dict == {"boundary": [HALF_OVER_EAST]}
    assert not Grid.objects.filter(code="DS-G2").exists()


@pytest.mark.django_db
def test_a_grid_inside_another_is_refused(east_grid, area_tree):
    with pytest.raises(ValidationError, match="“东升第一网格”（DS-G1，约 37,896 平方米）"):
        services.grid_save(
            code="DS-G2", name="东升第二网格", area=area_tree["east"], boundary=square(116.302, 39.982, 0.002)
        )


@pytest.mark.django_db
def test_every_grid_overlapped_is_named(east_grid, west_grid, area_tree):
    with pytest.raises(ValidationError) as caught:
        services.grid_save(code="DS-G9", name="大网格", area=area_tree["east"], boundary=square(116.305, 39.98))
    (text,) = caught.value.message_dict["boundary"]
    assert "“东升第一网格”（DS-G1，约 473,686 平方米）、“西苑第一网格”（XY-G1，约 473,686 平方米）" in text


@pytest.mark.django_db
def test_neighbours_sharing_an_edge_or_a_corner_are_saved(east_grid, area_tree):
    north, _ = _new(area_tree, "DS-G2", square(116.30, 39.99))
    corner, _ = _new(area_tree, "DS-G3", square(116.31, 39.99))
    far, _ = _new(area_tree, "DS-G4", square(116.50, 39.98))
    assert {north.code, corner.code, far.code} <= set(Grid.objects.values_list("code", flat=True))


@pytest.mark.django_db
def test_a_grid_edited_in_place_is_not_compared_with_itself(east_grid):
    grid, _ = services.grid_save(
        code=east_grid.code, name="东升第一网格（扩）", area=east_grid.area, boundary=square(116.30, 39.98, 0.012),
        grid=east_grid,
    )  # fmt: skip
    assert grid.max_lon == pytest.approx(116.312)


@pytest.mark.django_db
def test_an_edit_that_grows_into_the_neighbour_is_refused_and_the_row_kept(east_grid, west_grid):
    with pytest.raises(ValidationError, match="“西苑第一网格”（XY-G1"):
        services.grid_save(
            code=east_grid.code, name=east_grid.name, area=east_grid.area, boundary=square(116.30, 39.98, 0.012),
            grid=east_grid,
        )  # fmt: skip
    east_grid.refresh_from_db()
    assert east_grid.max_lon == pytest.approx(116.31)


@pytest.mark.django_db
def test_only_active_grids_count_and_an_inactive_grid_may_overlap_until_it_is_switched_on(east_grid, area_tree):
    Grid.objects.filter(pk=east_grid.pk).update(is_active=False)
    grid, _ = _new(area_tree, "DS-G2", square(116.305, 39.98), name="东升第二网格")
    assert grid.is_active

    east_grid.refresh_from_db()
    east_grid.is_active = True
    with pytest.raises(ValidationError, match="“东升第二网格”（DS-G2"):
        services.grid_save(
            code=east_grid.code, name=east_grid.name, area=east_grid.area, boundary=east_grid.boundary, grid=east_grid
        )
    assert not Grid.objects.get(pk=east_grid.pk).is_active


# --- The admin form -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_shows_the_overlap_as_a_form_error_and_keeps_what_was_drawn(admin_client, east_grid, area_tree):
    drawn = square(116.305, 39.98)
    response = admin_client.post(
        reverse("admin:grids_grid_add"),
        {
            "code": "DS-G2",
            "name": "东升第二网格",
            "area": area_tree["east"].pk,
            "boundary": json.dumps(drawn),
            "households": 380,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["boundary"] == [HALF_OVER_EAST]
    page = response.content.decode()
    assert "东升第二网格" in page  # the name typed is still there
    textarea = page.split('name="boundary"', 1)[1].split("</textarea>", 1)[0]
    assert json.loads(textarea.split(">", 1)[1].replace("&quot;", '"')) == drawn
    assert not Grid.objects.filter(code="DS-G2").exists()


@pytest.mark.django_db
def test_the_admin_saves_an_inactive_draft_that_overlaps(admin_client, east_grid, area_tree):
    response = admin_client.post(
        reverse("admin:grids_grid_add"),
        {
            "code": "DS-G2",
            "name": "东升第二网格",
            "area": area_tree["east"].pk,
            "boundary": json.dumps(square(116.305, 39.98)),
            "households": 380,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Grid.objects.get(code="DS-G2").is_active is False


@pytest.mark.django_db
def test_the_admin_saves_a_grid_edited_in_place_and_refuses_one_grown_into_its_neighbour(
    admin_client, east_grid, west_grid
):
    url = reverse("admin:grids_grid_change", args=[east_grid.pk])
    posted = {
        "code": east_grid.code,
        "name": "东升第一网格（改名）",
        "area": east_grid.area_id,
        "boundary": json.dumps(east_grid.boundary),
        "households": 400,
        "is_active": "on",
    }
    assert admin_client.post(url, posted).status_code == 302
    assert Grid.objects.get(pk=east_grid.pk).name == "东升第一网格（改名）"

    response = admin_client.post(url, {**posted, "boundary": json.dumps(square(116.30, 39.98, 0.012))})
    assert response.status_code == 200
    (error,) = response.context["adminform"].form.errors["boundary"]
    assert error.startswith("边界与已启用的网格“西苑第一网格”（XY-G1，约 ")
    assert Grid.objects.get(pk=east_grid.pk).max_lon == pytest.approx(116.31)
