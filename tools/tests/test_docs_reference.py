"""The docs checker on a scratch package and hand-written pages (no mkdocs build)."""

import textwrap

import pytest
from docs_reference import Source, check_package, expected_names, markup_problems, read_entries


@pytest.fixture
def src(tmp_path):
    """alpha: a function re-exported by the package and shadowed by a submodule's name."""
    files = {
        "alpha/__init__.py": """
            from typing import TYPE_CHECKING
            from alpha.core import Engine
            from alpha.covariance import covariance
            from . import tools
            if TYPE_CHECKING:
                from alpha._lazy import Lazy
            __all__ = ["Engine", "Lazy", "__version__", "covariance", "tools"]
            """,
        "alpha/core.py": "from alpha._impl import Engine\n__all__ = ['Engine']\n",
        "alpha/_impl.py": "class Engine: ...\n",
        "alpha/_lazy.py": "class Lazy: ...\n",
        "alpha/covariance.py": "def covariance(): ...\n",
        "alpha/tools/__init__.py": "from alpha.tools.knife import cut\n__all__ = ['cut']\n",
        "alpha/tools/knife.py": "def cut(): ...\n__all__ = ['cut']\n",
    }
    for name, text in files.items():
        path = tmp_path / "src" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return tmp_path / "src"


def test_canonical_follows_re_exports_to_the_definition(src):
    source = Source(src)
    assert source.canonical("alpha.Engine") == "alpha._impl.Engine"
    assert source.canonical("alpha.core.Engine.run") == "alpha._impl.Engine.run"
    assert source.canonical("alpha.Lazy") == "alpha._lazy.Lazy"  # bound under TYPE_CHECKING
    assert source.canonical("alpha.tools") == "alpha.tools"
    # the function wins over the submodule of the same name, as at run time
    assert source.canonical("alpha.covariance") == "alpha.covariance.covariance"


def test_expected_names_leave_out_dunders_and_add_every_module_when_aliased(src):
    source = Source(src)
    assert expected_names(source, "alpha", aliased=False) == [
        "alpha.Engine",
        "alpha.Lazy",
        "alpha.covariance",
        "alpha.tools",
    ]
    aliased = expected_names(source, "alpha", aliased=True)
    assert {"alpha.core", "alpha.core.Engine", "alpha.tools.knife.cut"} <= set(aliased)
    assert not any("._" in path for path in aliased)


def heading(entry_id, kind):
    return (
        f'<h3 id="{entry_id}" class="doc doc-heading"><code class="doc-symbol '
        f'doc-symbol-heading doc-symbol-{kind}"></code> <span>{entry_id}</span></h3>'
    )


def test_read_entries_splits_the_page_by_heading_and_keeps_code_apart():
    page = (
        "<p>intro</p>"
        + heading("alpha.Engine", "class")
        + "<p>See :meth:<code>run</code>.</p><pre><code>&gt;&gt;&gt; 1</code></pre>"
        + heading("alpha.cut", "function")
        + "<p>plain</p>"
    )
    intro, engine, cut = read_entries(page)
    assert (intro.id, engine.id) == ("", "alpha.Engine")
    assert (engine.kind, cut.kind) == ("class", "function")
    assert ">>> 1" in "".join(engine.code)
    assert ">>>" not in "".join(engine.prose)
    assert markup_problems(engine) == ["raw Sphinx role :meth:"]
    assert markup_problems(cut) == []


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("<p>:param x: the x</p>", "raw Sphinx field :param:"),
        ("<p>Use :py:func:<code>f</code></p>", "raw Sphinx role :py:func:"),
        (
            "<blockquote><blockquote><blockquote><p>f(1)</p></blockquote></blockquote></blockquote>",
            "doctest flattened into text",
        ),
        ("<p>&gt;&gt;&gt; f(1)</p>", "doctest flattened into text"),
        ("<pre><code>f(1)  # doctest: +SKIP</code></pre>", "'# doctest:' flag shown to readers"),
    ],
)
def test_markup_problems_finds_sphinx_and_flattened_doctests(html, problem):
    (entry,) = read_entries(html)
    assert any(found.startswith(problem) for found in markup_problems(entry))


def test_check_package_names_each_missing_or_misrendered_entry(src, tmp_path):
    page = tmp_path / "api.html"
    page.write_text(
        heading("alpha", "module")
        + heading("alpha.Engine", "class")
        + heading("alpha.tools", "module")
        + "<p>:class:<code>X</code></p>"
    )
    problems = check_package("alpha", [page], src)
    assert problems == [
        "alpha: alpha.Lazy: no entry in the API reference",
        "alpha: alpha.covariance: no entry in the API reference (the submodule alpha.covariance"
        " hides it from the docs: rename one)",
        "alpha: alpha.tools: raw Sphinx role :class:",
    ]


def test_check_package_refuses_a_module_entry_for_a_function(src, tmp_path):
    page = tmp_path / "api.html"
    page.write_text(heading("alpha.covariance", "module"))
    problems = check_package("alpha", [page], src)
    assert "alpha: alpha.covariance: the entry shows a module" in "\n".join(problems)


def test_check_package_without_pages_says_so(src):
    assert check_package("alpha", [], src) == ["alpha: no pages under the site's packages/alpha/"]
