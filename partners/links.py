"""What partners adds to other apps' pages through the core's object-link hook (no import of them).

A 红色管家 volunteer of a compound (consultation) may also be a partner of the points bank. The
volunteers page hands each volunteer to ``extensions.object_links`` under the label
``consultation.volunteer``; this provider answers with the partner the volunteer's person is
linked to, when the viewer may see that partner (staff of its community, or the person), and
nothing otherwise.
"""

from django.utils.translation import gettext as _

from governance.extensions import Link
from partners import selectors
from partners.models import Partner


def volunteer_partner_links(user, volunteer) -> list[Link]:
    person_id = getattr(volunteer, "person_id", None)
    if person_id is None:
        return []
    partner = (
        selectors.visible_partners(user=user)
        .filter(users__pk=person_id, status=Partner.Status.ACTIVE)
        .order_by("pk")
        .first()
    )
    if partner is None:
        return []
    return [Link(label=_("社区合伙人"), note=partner.name)]
