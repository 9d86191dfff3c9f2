"""Email backends. ``MaskingConsoleEmailBackend`` is the console backend with personal data masked:
the embedded default (``EMAIL_URL=consolemail://``) prints every notification email to the log."""

import copy

from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend

from governance.masking import mask_text


class MaskingConsoleEmailBackend(ConsoleEmailBackend):
    """Writes each message to the stream as the console backend does, after masking the subject,
    the body, every alternative and the addresses (the message itself is left as it was)."""

    def write_message(self, message):
        masked = copy.copy(message)
        masked.subject = mask_text(message.subject)
        masked.body = mask_text(message.body)
        masked.to = [mask_text(a) for a in message.to]
        masked.cc = [mask_text(a) for a in message.cc]
        masked.bcc = [mask_text(a) for a in message.bcc]
        masked.reply_to = [mask_text(a) for a in message.reply_to]
        if getattr(message, "alternatives", None):
            masked.alternatives = [
                alternative._replace(content=mask_text(alternative.content))
                if isinstance(alternative.content, str)
                else alternative
                for alternative in message.alternatives
            ]
        masked.attachments = []  # attachment contents are not written to a log
        super().write_message(masked)
