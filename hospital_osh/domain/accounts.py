"""Account rules: password policy and lockout."""

from __future__ import annotations

import datetime as dt
import re

MIN_PASSWORD_LENGTH = 10
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{2,40}$")


def is_locked(locked_until: dt.datetime | None, now: dt.datetime) -> bool:
    return locked_until is not None and locked_until > now
