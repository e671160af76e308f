"""An e-mail backend for the crash tests: every message is appended, one JSON line per
recipient, to the file named by HROMADA_CRASH_MAILBOX, and flushed to the kernel before
``send`` returns, so a process killed right after sending has still "sent" it."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        path = os.environ["HROMADA_CRASH_MAILBOX"]
        with open(path, "a", encoding="utf-8") as mailbox:
            for message in email_messages:
                for address in message.recipients():
                    mailbox.write(json.dumps({"to": address, "subject": message.subject}) + "\n")
            mailbox.flush()
            os.fsync(mailbox.fileno())
        return len(email_messages)
