"""An SMS "gateway" for the worker-kill test: slow enough that a worker is killed holding tasks.

It waits first and prints after, so the only window in which a kill could make a message go out
twice is the few milliseconds between the print and the outbox marking the row delivered.
"""

import sys
import time

from governance.sms import BaseSmsBackend

DELAY_SECONDS = 0.4


class SlowConsoleSms(BaseSmsBackend):
    def send(self, *, phone: str, text: str) -> None:
        time.sleep(DELAY_SECONDS)
        sys.stdout.write(f"[SLOW SMS] {text}\n")
        sys.stdout.flush()
