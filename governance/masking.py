"""Masking of personal data (个人信息保护): phone and ID numbers in lists, API lists and logs."""

import logging
import re

_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID_NUMBER = re.compile(r"(?<![\dA-Za-z])(\d{3})\d{11}(\d{3}[\dXx])(?![\dA-Za-z])")


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


def mask_text(text: str) -> str:
    """Mask every mobile and ID number found inside free text."""
    text = _ID_NUMBER.sub(lambda m: f"{m.group(1)}***********{m.group(2)}", text)
    return _MOBILE.sub(r"\1****\2", text)


class MaskingFormatter(logging.Formatter):
    """Formatter that masks the whole formatted line, tracebacks included."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))


class MaskPersonalDataFilter(logging.Filter):
    """Logging filter: no phone or ID number leaves the process unmasked in a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record must still be logged
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
