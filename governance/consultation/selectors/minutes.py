"""Who confirmed a meeting's minutes this round, who objected, who has not answered."""

from dataclasses import dataclass

from governance.consultation.models import Meeting, MinutesResponse


@dataclass(frozen=True)
class MinutesConfirmation:
    attendees: list
    confirmed: list
    objections: list  # MinutesResponse rows with an objection
    pending: list


def minutes_confirmation(*, meeting: Meeting) -> MinutesConfirmation:
    """Who attended, who confirmed this round's minutes, who objected (and what), who has not answered."""
    attendees = [p.user for p in meeting.participants.select_related("user").filter(signed_in_at__isnull=False)]
    if meeting.minutes_sent_at is None:
        return MinutesConfirmation(attendees=attendees, confirmed=[], objections=[], pending=[])
    responses = {
        r.user_id: r
        for r in MinutesResponse.objects.filter(meeting=meeting, round=meeting.minutes_round).select_related("user")
    }
    return MinutesConfirmation(
        attendees=attendees,
        confirmed=[r.user for r in responses.values() if r.confirmed],
        objections=[r for r in responses.values() if not r.confirmed],
        pending=[u for u in attendees if u.pk not in responses],
    )
