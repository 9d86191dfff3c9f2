"""Outputs people use: the minutes as a PDF for the notice board, and the iCalendar feed.

The PDF embeds a subset of Noto Sans SC through the core's ``governance.pdf`` (the font is a
package dependency), so a server without any system font renders Chinese. The iCalendar text is written
here by hand to RFC 5545 (CRLF lines folded at 75 octets, escaped text, UTC times), so the test
that parses it with an independent library checks something real.
"""

from datetime import UTC, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from governance.consultation.models import Meeting
from governance.consultation.selectors import agenda_outline, attendance_for
from governance.pdf import lines_pdf


def mask_name(name: str) -> str:
    """王小明 → 王*明, 李四 → 李*: a local fallback until the core's masking module has one."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _when(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _minutes_lines(meeting: Meeting) -> list[tuple[str, float, float]]:
    """``(text, size, line height)`` of the minutes, top to bottom (empty text = a gap)."""
    out: list[tuple[str, float, float]] = []

    def line(text: str, size: float = 11, height: float = 6.5) -> None:
        out.append((text, size, height))

    def gap() -> None:
        out.append(("", 0, 3))

    line(_("红色议事厅会议纪要"), size=18, height=10)
    line(meeting.title, size=14, height=8)
    line(_("召集：%(org)s　　区域：%(area)s") % {"org": meeting.organization.name, "area": meeting.area.name})
    line(_("时间：%(start)s 至 %(end)s") % {"start": _when(meeting.starts_at), "end": _when(meeting.ends_at)})
    if meeting.place:
        line(_("地点：%(place)s") % {"place": meeting.place})
    gap()

    line(_("一、出席情况"), size=13, height=8)
    attendance = attendance_for(meeting=meeting)
    names: dict[str, list[str]] = {}
    for p in meeting.participants.select_related("user").filter(signed_in_at__isnull=False):
        names.setdefault(p.group, []).append(mask_name(p.user.display_name))
    for group, label, invited, signed in attendance.rows():
        line(
            _("%(label)s：应到 %(invited)d 人，实到 %(signed)d 人　%(names)s")
            % {"label": label, "invited": invited, "signed": signed, "names": "、".join(names.get(group, []))}
        )
    gap()

    line(_("二、议程与表决"), size=13, height=8)
    for item in agenda_outline(meeting=meeting):  # numbered 1, 1.1, 1.2, 2 …; sub-items indented
        major = _("（重大事项）") if item.is_major else ""
        label = f"{item.number}." if not item.depth else f"{'　' * item.depth}{item.number}"
        line(f"{label} {item.title}{major}", size=12 - item.depth, height=7)
        if item.notes:
            line(_("讨论：%(notes)s") % {"notes": item.notes})
        if item.voted:
            verdict = _("通过") if item.adopted else _("未通过")
            line(
                _("表决：赞成 %(f)d，反对 %(a)d，弃权 %(x)d（到会 %(p)d 人），%(verdict)s")
                % {
                    "f": item.votes_for,
                    "a": item.votes_against,
                    "x": item.abstentions,
                    "p": item.present,
                    "verdict": verdict,
                }
            )
        else:
            line(_("未表决"))
    gap()

    resolutions = list(meeting.resolutions.select_related("responsible_department").order_by("id"))
    if resolutions:
        line(_("三、决议事项"), size=13, height=8)
        for r in resolutions:
            who = r.responsible_department.name if r.responsible_department else meeting.organization.name
            line(
                _("%(title)s　责任方：%(who)s　期限：%(due)s")
                % {"title": r.title, "who": who, "due": r.due_date.isoformat()}
            )
        gap()

    if meeting.minutes:
        line(_("四、会议纪要"), size=13, height=8)
        line(meeting.minutes)
    if meeting.minutes_published_at:
        gap()
        line(_("公布时间：%(when)s") % {"when": _when(meeting.minutes_published_at)}, size=9)
    return out


def minutes_pdf(*, meeting: Meeting) -> bytes:
    """The minutes: meeting facts, attendance per group, each agenda item with its tally, the resolutions."""
    return lines_pdf(title=meeting.title, lines=_minutes_lines(meeting))


# --- iCalendar (RFC 5545) ---------------------------------------------------------------------


def _escape(text: str) -> str:
    return (
        (text or "")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold at 75 octets without splitting a UTF-8 character (RFC 5545 §3.1)."""
    out, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        limit = 75 if not out else 74  # continuation lines start with one space
        if len(current) + len(encoded) > limit:
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def meetings_ics(*, meetings, calendar_name: str, host: str) -> str:
    """A VCALENDAR of ``meetings``: stable UIDs, UTC times, cancelled ones as STATUS:CANCELLED."""
    now = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//community-portal//consultation//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(calendar_name)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for meeting in meetings:
        location = meeting.place or meeting.video_url
        description = _("召集：%(org)s；区域：%(area)s") % {"org": meeting.organization.name, "area": meeting.area.name}
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{meeting.pk}@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{meeting.starts_at.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}",
            f"DTEND:{meeting.ends_at.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}",
            f"SUMMARY:{_escape(meeting.title)}",
            f"LOCATION:{_escape(location)}",
            f"DESCRIPTION:{_escape(description)}",
            "STATUS:CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "STATUS:CONFIRMED",
            f"SEQUENCE:{meeting.version}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
