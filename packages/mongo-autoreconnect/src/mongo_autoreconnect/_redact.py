"""Keep passwords out of log lines, reprs and exception messages."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ._compat import client_password

__all__ = ["client_secrets", "redact"]

REDACTED = "<redacted>"
# user:password@ in any URI-like text (mongodb://, mongodb+srv://, http proxies...).
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^:@/\s]*):[^@/\s]*@")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with URI passwords and every known secret replaced by ``<redacted>``."""
    text = _USERINFO.sub(rf"\g<scheme>\g<user>:{REDACTED}@", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def client_secrets(client: Any) -> tuple[str, ...]:
    """The password a pymongo client authenticates with, if any.

    A driver change only loses this extra layer (URI passwords are still redacted by
    pattern).
    """
    password = client_password(client)
    return (password,) if password else ()
