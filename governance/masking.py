"""Masking of personal data (个人信息保护法): one module for every app, every list and every log line.

``mask_text`` finds, inside free text, the ways people actually write personal data and masks each:

- mobiles: ``13812340002``, ``+8613812340002``, ``008613812340005``, ``+86 138 1234 0007``,
  ``138 1234 0003``, ``138-1234-0004``, full-width ``１３８１２３４０００６`` → ``138****0002``
  (an international prefix, however written, becomes ``+86 ``);
- landlines with an area code: ``010-62990007``, ``0755-8888 1234``, ``(010)62990007`` →
  ``010-****0007``;
- ID numbers of 18 (``X`` included) and 15 digits → ``110***********1234``;
- bank cards, 16–19 digits, optionally in groups of 4 → ``**** **** **** 1234``;
- email addresses: ``wang.li@example.com`` → ``w***@example.com``.

A run of 20 or more digits (an order or a tracking number) is none of these and stays as it is, and
so do the digits after a decimal point. So do opaque identifiers: a UUID (``7925e184-8156-4465-…``,
a Celery task id in every worker log line, whose ``184-8156-4465`` reads like a mobile) and a hex
digest of 32 or more characters are left whole, or a log could no longer be searched by task id.
The pattern is compiled once, at import: masking runs per row on every list page. ``\\d`` in a
``str`` pattern matches every Unicode decimal digit, so full-width digits need no extra case.
"""

import logging
import re

_SEP = r"[ \-\u00a0\u3000－]"  # one optional separator inside a number
_EMAIL_CHARS = r"A-Za-z0-9._%+\-"

# Email: starts only where a word starts, so the scan stays linear.
_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9])(?P<local>[A-Za-z0-9][{_EMAIL_CHARS}]*)"
    r"@(?P<domain>[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})"
)
_NUMBER = re.compile(
    # The lookahead lets the scan skip, in C, every character that cannot start a number; the
    # lookbehinds keep to whole numbers, not the tail of a longer one or the digits of a fraction
    # (a duration 0.0123456789012345 s, a longitude 116.30123456789012).
    r"(?=[\d+＋(（])(?<!\d)(?<!\d\.)(?:"
    # Mobile, with an optional +86 / 0086 / 86 prefix and separators in the 3-4-4 grouping.
    rf"(?P<mpre>(?:[+＋]|00|００)?[8８][6６]{_SEP}?|[(（][+＋]?[8８][6６][)）]{_SEP}?)?"
    rf"(?P<mhead>[1１][3-9３-９]\d){_SEP}?\d{{4}}{_SEP}?(?P<mtail>\d{{4}})"
    # ID numbers: 18 (the last may be X) or 15 digits.
    r"|(?P<id>\d{17}[\dXxＸｘ]|\d{15})"
    # Bank cards: 16-19 digits, or groups of four.
    rf"|(?P<card>\d{{16,19}}|\d{{4}}(?:{_SEP}\d{{4}}){{3}}(?:{_SEP}?\d{{1,3}})?)"
    # Landline with an area code: 010-62990007, 0755-8888 1234, (010)62990007.
    rf"|(?P<lpre>[(（][0０]\d{{2,3}}[)）]{_SEP}?|[0０]\d{{2,3}}{_SEP})\d{{3,4}}{_SEP}?(?P<ltail>\d{{4}})"
    r")(?!\d)"
)
_DIGIT = re.compile(r"\d")
# UUIDs and hex digests (32+ characters, bounded): never personal data, often full of digits.
_OPAQUE = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|[0-9a-f]{32,})(?![0-9A-Za-z])"
)


def _mask_email(match: re.Match) -> str:
    local = match.group("local")
    return f"{local[0] + '***' if len(local) > 1 else '*'}@{match.group('domain')}"


def _mask_number(match: re.Match) -> str:
    group = match.group
    if group("mhead"):
        # Any written prefix (+86, 0086, 86, (+86)) becomes "+86 ": the code is no secret, but
        # "0086138" would keep seven of the original digits in one run.
        return f"{'+86 ' if group('mpre') else ''}{group('mhead')}****{group('mtail')}"
    if number := group("id"):
        return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"
    if number := group("card"):
        digits = [ch for ch in number if ch.isdigit()]
        return f"**** **** **** {''.join(digits[-4:])}"
    return f"{group('lpre')}****{group('ltail')}"


def mask_text(text: str | None) -> str:
    """Mask every phone number, ID number, bank card and email address found inside free text."""
    if not text:
        return ""
    if "@" in text:
        text = _EMAIL.sub(_mask_email, text)
    if _DIGIT.search(text) is None:
        return text
    if "-" in text or len(text) >= 32:
        opaque = [m.span() for m in _OPAQUE.finditer(text)]
        if opaque:
            pieces, start = [], 0
            for begin, end in opaque:
                pieces.append(_NUMBER.sub(_mask_number, text[start:begin]))
                pieces.append(text[begin:end])
                start = end
            pieces.append(_NUMBER.sub(_mask_number, text[start:]))
            return "".join(pieces)
    return _NUMBER.sub(_mask_number, text)


def mask_phone(phone: str | None) -> str:
    """``13812345678`` → ``138****5678``; short or empty values keep only their last digits."""
    if not phone:
        return ""
    if len(phone) >= 7:
        return f"{phone[:3]}****{phone[-4:]}"
    return "*" * max(len(phone) - 2, 0) + phone[-2:]


def mask_id_number(id_number: str | None) -> str:
    """``110101199003071234`` → ``110***********1234``."""
    if not id_number:
        return ""
    if len(id_number) >= 8:
        return f"{id_number[:3]}{'*' * (len(id_number) - 7)}{id_number[-4:]}"
    return "*" * len(id_number)


def mask_name(name: str | None) -> str:
    """A name as lists show it to people who do not handle the case.

    ``王小明`` → ``王*明``, ``王明`` → ``王*``, ``欧阳小明`` → ``欧**明``; a Latin name keeps the
    initial of each part: ``Li Wang`` → ``L* W***``.
    """
    name = (name or "").strip()
    if not name:
        return ""
    if name.isascii():
        return " ".join(part[0] + "*" * (len(part) - 1) for part in name.split())
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


class MaskingFormatter(logging.Formatter):
    """Formatter that masks the whole formatted line, tracebacks included."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))


class MaskPersonalDataFilter(logging.Filter):
    """Logging filter: no phone, ID, card number or email leaves the process unmasked in a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record must still be logged
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
