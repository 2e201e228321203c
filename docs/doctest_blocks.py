"""Griffe extension: a doctest outside an ``Examples`` section reaches the page as code.

numpydoc is reStructuredText, where a paragraph of ``>>>`` lines is a doctest block
wherever it stands (a module docstring often opens with one). mkdocstrings renders the
text around numpydoc sections as Markdown, which reads ``>>>`` as three nested quotes and
flattens the example into prose. This extension fences every such block as ``pycon``
before rendering, and drops ``# doctest:`` flags from it as the Examples section parser
does. Blocks inside an ``Examples`` section or an existing code fence are left alone.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

SECTION_RULE = re.compile(r"^\s*-{3,}\s*$")
DOCTEST_FLAG = re.compile(r"\s*#\s*doctest:.*$")


def fence_doctests(text: str) -> str:
    """`text` with each ``>>>`` paragraph outside Examples and code fences fenced as pycon."""
    lines = text.splitlines()
    out: list[str] = []
    section = ""
    in_fence = False
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if i + 1 < len(lines) and stripped and SECTION_RULE.match(lines[i + 1]):
            section = stripped.lower()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
        if in_fence or section == "examples" or not stripped.startswith(">>>"):
            out.append(line)
            i += 1
            continue
        indent = line[: len(line) - len(line.lstrip())]
        block = []
        while i < len(lines) and lines[i].strip():
            block.append(DOCTEST_FLAG.sub("", lines[i]))
            i += 1
        out += [f"{indent}```pycon", *block, f"{indent}```"]
    return "\n".join(out)


class DoctestBlocks(griffe.Extension):
    """Fence bare doctest blocks in every docstring (see the module docstring)."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)
