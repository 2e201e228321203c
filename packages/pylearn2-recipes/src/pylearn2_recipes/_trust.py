"""Whether this process loads files as pylearn2 did (``install_alias(trust_files=True)``).

Off by default: YAML resolves only allow-listed names and pickles are refused. The
loaders take ``None`` for "whatever the process says" and resolve it here.
"""

from __future__ import annotations

_files_trusted = False


def set_files_trusted(value: bool) -> None:
    """Trust (or stop trusting) every file this process loads."""
    global _files_trusted
    _files_trusted = bool(value)


def resolve(flag: bool | None) -> bool:
    """``flag`` if given, else whether files are trusted process-wide."""
    return _files_trusted if flag is None else flag
