"""SMS backends. A real gateway implements ``send``; the console one writes a masked line."""

import logging
import sys

from governance.masking import mask_phone, mask_text

logger = logging.getLogger(__name__)


class BaseSmsBackend:
    """Interface: ``send(phone=, text=)`` delivers one message or raises."""

    def send(self, *, phone: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Writes the message to standard output; the number and the text are masked, as in every log."""

    stream = None  # None: whatever sys.stdout is at send time (the worker and tests redirect it)

    def send(self, *, phone: str, text: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(f"[SMS to {mask_phone(phone)}] {mask_text(text)}\n")
        stream.flush()


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps messages in memory, for tests: ``LocmemSmsBackend.outbox``."""

    outbox: list[tuple[str, str]] = []

    def send(self, *, phone: str, text: str) -> None:
        self.outbox.append((phone, text))
