"""docs/doctest_blocks.py: a bare doctest block reaches the page as code, flags dropped."""

import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs"))
from doctest_blocks import fence_doctests  # noqa: E402


def fenced(text):
    return fence_doctests(textwrap.dedent(text).strip("\n"))


def test_a_doctest_after_the_summary_is_fenced_and_its_flags_dropped():
    assert fenced(
        """
        Locks on MongoDB.

        >>> room = LockerRoom(uri)  # doctest: +SKIP
        >>> room.lock("x")
        <Lease x>

        More prose.
        """
    ) == textwrap.dedent(
        """\
        Locks on MongoDB.

        ```pycon
        >>> room = LockerRoom(uri)
        >>> room.lock("x")
        <Lease x>
        ```

        More prose."""
    )


def test_examples_sections_and_code_fences_are_left_to_their_parsers():
    text = """
        Summary.

        ```python
        >>> inside_a_fence()
        ```

        Examples
        --------
        >>> left_alone()  # doctest: +SKIP
        """
    assert fenced(text) == textwrap.dedent(text).strip("\n")


def test_an_indented_block_keeps_its_indentation():
    assert fenced(
        """
        Acquire
            >>> lock()
            True
        """
    ).splitlines() == ["Acquire", "    ```pycon", "    >>> lock()", "    True", "    ```"]
