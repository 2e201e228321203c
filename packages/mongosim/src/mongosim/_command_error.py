"""A MongoDB error reply (``ok: 0``), raised inside the server and sent to the driver."""

from __future__ import annotations

from typing import Any

__all__ = ["CommandError"]


class CommandError(Exception):
    """The command failed: the driver receives ``{ok: 0, code, codeName, errmsg}``."""

    def __init__(
        self,
        code: int,
        code_name: str,
        message: str,
        labels: tuple[str, ...] = (),
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.code_name = code_name
        self.message = message
        self.labels = labels
        self.details = dict(details or {})

    def reply(self) -> dict[str, Any]:
        """The reply document, as a MongoDB server words it."""
        document: dict[str, Any] = {
            "ok": 0.0,
            "errmsg": self.message,
            "code": self.code,
            "codeName": self.code_name,
        }
        document.update(self.details)
        if self.labels:
            document["errorLabels"] = list(self.labels)
        return document
