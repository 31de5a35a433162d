"""A logging filter that keeps an invitation link's token out of the server's log: Django
logs a refused link's path ("Not Found: /inbjudan/<token>/"), and a token still open must not
be readable by whoever reads the log."""

from __future__ import annotations

import logging
import re

TOKEN_PATH = re.compile(r"/inbjudan/[^/\s\"']+")


def redact(value):
    return TOKEN_PATH.sub("/inbjudan/…", value) if isinstance(value, str) else value


class RedactInvitationTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) for arg in record.args)
        return True
