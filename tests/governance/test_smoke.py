from governance import selectors


def test_community_staff_sees_own_community_not_the_neighbours(east_staff, area_tree):
    visible = set(selectors.visible_areas(user=east_staff).values_list("code", flat=True))
    assert visible == {"HD-ZGC-DS", "HD-ZGC-DS-01", "HD-ZGC-DS-01-B1"}
