"""Coordinate systems: known points (published test vectors of the GCJ-02 / BD-09 transforms), within 1 m."""

import pytest

from grids import geo

# (WGS-84 lon, lat) → (GCJ-02 lon, lat): Shanghai, Shenzhen, Beijing (the eviltransform test points).
WGS_GCJ = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
]
# The coordtransform library's published results for (116.404, 39.915), Tiananmen.
POINT = (116.404, 39.915)
GCJ_TO_BD = (116.41036949371029, 39.92133699351021)
BD_TO_GCJ = (116.39762729119315, 39.90865673957631)
WGS_TO_GCJ = (116.41024449916938, 39.91640428150164)
GCJ_TO_WGS = (116.39775550083061, 39.91359571849836)


def within_1m(got, expected):
    return geo.distance_m(got[0], got[1], expected[0], expected[1]) < 1.0


@pytest.mark.parametrize(("wgs", "gcj"), WGS_GCJ)
def test_wgs84_to_gcj02_known_points(wgs, gcj):
    assert within_1m(geo.from_wgs84(*wgs, "gcj02"), gcj)


@pytest.mark.parametrize(("wgs", "gcj"), WGS_GCJ)
def test_gcj02_input_is_stored_as_wgs84(wgs, gcj):
    assert within_1m(geo.to_wgs84(*gcj, "gcj02"), wgs)


def test_gcj02_and_bd09_known_point():
    assert within_1m(geo.gcj02_to_bd09(*POINT), GCJ_TO_BD)
    assert within_1m(geo.bd09_to_gcj02(*POINT), BD_TO_GCJ)
    assert within_1m(geo.wgs84_to_gcj02(*POINT), WGS_TO_GCJ)
    assert within_1m(geo.gcj02_to_wgs84(*POINT), GCJ_TO_WGS)


def test_bd09_input_is_stored_as_wgs84():
    # GCJ_TO_BD is POINT in BD-09, and POINT read as GCJ-02 is GCJ_TO_WGS in WGS-84.
    assert within_1m(geo.to_wgs84(*GCJ_TO_BD, "bd09"), GCJ_TO_WGS)
    assert within_1m(geo.from_wgs84(*GCJ_TO_WGS, "bd09"), GCJ_TO_BD)


def test_the_offset_is_hundreds_of_metres_so_the_tests_mean_something():
    wgs, gcj = WGS_GCJ[2]
    assert geo.distance_m(*wgs, *gcj) > 400


def test_round_trips_are_exact_to_a_centimetre():
    for lon, lat in [(116.3021, 39.9818), (121.47, 31.23), (104.06, 30.67)]:
        for crs in ("gcj02", "bd09"):
            back = geo.to_wgs84(*geo.from_wgs84(lon, lat, crs), crs)
            assert geo.distance_m(lon, lat, *back) < 0.01


def test_wgs84_is_unchanged_and_points_outside_china_are_not_offset():
    assert geo.to_wgs84(116.3, 39.98, "wgs84") == (116.3, 39.98)
    assert geo.from_wgs84(-0.1276, 51.5072, "gcj02") == (-0.1276, 51.5072)


def test_unknown_system_is_refused():
    with pytest.raises(ValueError, match="epsg3857"):
        geo.to_wgs84(116.3, 39.98, "epsg3857")


def test_polygon_is_converted_position_by_position():
    ring = [[116.3, 39.98], [116.306, 39.98], [116.306, 39.9845], [116.3, 39.98]]
    drawn = geo.polygon_from_wgs84({"type": "Polygon", "coordinates": [ring]}, "gcj02")
    assert drawn["type"] == "Polygon"
    assert len(drawn["coordinates"][0]) == 4
    for stored, shown in zip(ring, drawn["coordinates"][0], strict=True):
        assert within_1m(geo.to_wgs84(*shown, "gcj02"), stored)
        assert geo.distance_m(*stored, *shown) > 100
