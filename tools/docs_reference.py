"""Check the built docs site: every public name has its entry, no Sphinx markup reaches a page.

Usage::

    python tools/docs_reference.py docs/site      # one line per problem, exit 1 if any

What a package must have on its pages (``docs/site/packages/<dist>/``), read from its
source without importing it:

- an entry for every name in its ``__all__`` (dunder names aside);
- for pylearn2-recipes, whose ``install_alias()`` exposes every module as
  ``pylearn2.<path>``, an entry for every public module and every name in its ``__all__``.

An entry is a mkdocstrings heading, ``<hN id="pkg.Name" class="doc doc-heading">``. A name
counts as documented when an entry is the same object under any path that re-exports it
(``pkg.models.MLP`` is ``pkg.models.mlp.MLP``), and only if it is the same kind: the
function ``pkg.covariance`` is not documented by an entry for a submodule of that name.

What no page may show, outside code blocks: a Sphinx role (``:func:``, ``:class:``...) or
field (``:param x:``), a doctest flattened into text (``>>>`` outside a code block, which
Markdown also turns into nested quotes), and anywhere a ``# doctest:`` flag.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Packages whose every public module is public API (``install_alias()`` serves it).
ALIASED = {"pylearn2-recipes"}

# Markdown has already turned the role's `target` into <code>, so the role ends at its colon.
SPHINX_ROLE = re.compile(
    r"(?<!\w):(?:py:)?(?:func|class|meth|attr|mod|exc|data|obj|const|ref|doc|term):"
)
SPHINX_FIELD = re.compile(r":(?:param|type|rtype|returns?|raises?|ivar|cvar|var)\b[^:\n]*:")
DOCTEST_FLAG = re.compile(r"#\s*doctest:")


# --- the source, read statically -------------------------------------------------------


class Source:
    """The modules under one ``src/`` directory, read with ``ast``, never imported."""

    def __init__(self, src: Path) -> None:
        self.src = src
        self._trees: dict[str, ast.Module | None] = {}

    def module_file(self, dotted: str) -> Path | None:
        base = self.src.joinpath(*dotted.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None

    def is_package(self, dotted: str) -> bool:
        return (self.src.joinpath(*dotted.split(".")) / "__init__.py").is_file()

    def _tree(self, dotted: str) -> ast.Module | None:
        if dotted not in self._trees:
            path = self.module_file(dotted)
            self._trees[dotted] = ast.parse(path.read_text()) if path else None
        return self._trees[dotted]

    def _statements(self, dotted: str) -> list[ast.stmt]:
        """Module-level statements, including those under ``if``/``try``/``with``."""
        tree = self._tree(dotted)
        out: list[ast.stmt] = []
        pending = list(tree.body) if tree else []
        while pending:
            node = pending.pop(0)
            out.append(node)
            for name in ("body", "orelse", "finalbody", "handlers"):
                if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    pending.extend(getattr(node, name, []))
        return out

    def all_names(self, dotted: str) -> list[str]:
        """The names in ``__all__`` (assigned or extended with ``+=``), in order."""
        names: list[str] = []
        for node in self._statements(dotted):
            target = node.target if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else None
            targets = node.targets if isinstance(node, ast.Assign) else [target]
            if not any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                continue
            value = getattr(node, "value", None)
            if isinstance(value, (ast.List, ast.Tuple)):
                names += [e.value for e in value.elts if isinstance(e, ast.Constant)]
        return names

    def _absolute(self, dotted: str, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        package = dotted if self.is_package(dotted) else dotted.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        return f"{package}.{node.module}" if node.module else package

    def imports(self, dotted: str) -> dict[str, tuple[str, str | None]]:
        """Each name the module binds by import: (the module it comes from, its name there)."""
        bound: dict[str, tuple[str, str | None]] = {}
        for node in self._statements(dotted):
            if isinstance(node, ast.ImportFrom):
                origin = self._absolute(dotted, node)
                for alias in node.names:
                    bound[alias.asname or alias.name] = (origin, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        bound[alias.asname] = (alias.name, None)
        return bound

    def canonical(self, path: str) -> str:
        """The dotted path where the object that `path` names is defined.

        `path` is read as attribute access from its top module: a name that a module binds
        by import wins over a submodule of the same name, as at run time.
        """
        module, *names = path.split(".")
        if not self.is_module(module):
            return path
        for _ in range(100):  # a re-export chain longer than this is a cycle
            if not names:
                return module
            name, rest = names[0], names[1:]
            origin = self.imports(module).get(name)
            if origin is not None and origin != (module, name):
                module, names = origin[0], [n for n in (origin[1], *rest) if n is not None]
                if not self.is_module(module):  # from another distribution
                    return ".".join([module, *names])
            elif self.is_module(f"{module}.{name}"):
                module, names = f"{module}.{name}", rest
            else:
                return ".".join([module, *names])  # defined in `module`
        return path

    def is_module(self, path: str) -> bool:
        return self.module_file(path) is not None

    def public_modules(self, top: str) -> list[str]:
        """Every module under `top` with no underscore-prefixed part (``__main__`` aside)."""
        found = []
        for file in sorted((self.src / top).rglob("*.py")):
            parts = file.relative_to(self.src).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if not any(part.startswith("_") for part in parts):
                found.append(".".join(parts))
        return found


def expected_names(source: Source, top: str, aliased: bool) -> list[str]:
    """The public paths that must each have an entry."""
    paths = [f"{top}.{name}" for name in source.all_names(top)]
    if aliased:
        for module in source.public_modules(top):
            paths.append(module)
            paths += [f"{module}.{name}" for name in source.all_names(module)]
    paths = [path for path in paths if not path.rpartition(".")[2].startswith("__")]
    return list(dict.fromkeys(paths))


# --- the built pages ---------------------------------------------------------------------


@dataclass
class Entry:
    """One mkdocstrings heading and the prose (not code) that follows it up to the next."""

    id: str
    kind: str = ""
    prose: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)  # prose and code in page order
    deepest_quote: int = 0


class _PageParser(HTMLParser):
    HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.entries = [Entry(id="")]  # the page's text before its first entry
        self._code_depth = 0
        self._quote_depth = 0
        self._in_kind_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag in self.HEADINGS and "doc-heading" in classes and attributes.get("id"):
            self.entries.append(Entry(id=attributes["id"] or ""))
            self._in_kind_heading = True
        elif tag == "code" and self._in_kind_heading and "doc-symbol-heading" in classes:
            kinds = [c.removeprefix("doc-symbol-") for c in classes if c.startswith("doc-symbol-")]
            self.entries[-1].kind = next((k for k in kinds if k != "heading"), "")
        if tag in ("pre", "code"):
            self._code_depth += 1
        elif tag == "blockquote":
            self._quote_depth += 1
            entry = self.entries[-1]
            entry.deepest_quote = max(entry.deepest_quote, self._quote_depth)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HEADINGS:
            self._in_kind_heading = False
        if tag in ("pre", "code"):
            self._code_depth = max(0, self._code_depth - 1)
        elif tag == "blockquote":
            self._quote_depth = max(0, self._quote_depth - 1)

    def handle_data(self, data: str) -> None:
        entry = self.entries[-1]
        (entry.code if self._code_depth else entry.prose).append(data)
        entry.text.append(data)


def read_entries(html: str) -> list[Entry]:
    """The entries of one page, the page's own text first (``id=""``)."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.entries


def markup_problems(entry: Entry) -> list[str]:
    """What Sphinx markup or flattened doctest the entry shows readers."""
    prose, code = " ".join(entry.prose), " ".join(entry.code)
    found = []
    roles = sorted(set(SPHINX_ROLE.findall(prose)))
    if roles:
        found.append("raw Sphinx role " + ", ".join(roles))
    fields = sorted({m.split()[0].rstrip(":") + ":" for m in SPHINX_FIELD.findall(prose)})
    if fields:
        found.append("raw Sphinx field " + ", ".join(fields))
    if ">>>" in prose or entry.deepest_quote >= 3:
        found.append("doctest flattened into text (>>> outside a numpydoc Examples section)")
    if DOCTEST_FLAG.search(prose) or DOCTEST_FLAG.search(code):
        found.append("'# doctest:' flag shown to readers")
    return found


# --- one package's pages against its source ----------------------------------------------


def check_package(dist: str, pages: list[Path], src: Path) -> list[str]:
    """Every problem of one package, one line each, naming the object."""
    if not pages:
        return [f"{dist}: no pages under the site's packages/{dist}/"]
    tops = [p.name for p in src.iterdir() if (p / "__init__.py").is_file()]
    if len(tops) != 1:
        return [f"{dist}: expected one import package under {src}, found {sorted(tops)}"]
    (top,) = tops
    source = Source(src)
    documented: dict[str, str] = {}
    problems = []
    for page in pages:
        for entry in read_entries(page.read_text()):
            if entry.id:
                documented.setdefault(source.canonical(entry.id), entry.kind)
            where = entry.id or f"page {page.parent.name}"
            problems += [f"{dist}: {where}: {p}" for p in markup_problems(entry)]
    missing = []
    for path in expected_names(source, top, dist in ALIASED):
        target = source.canonical(path)
        kind = documented.get(target)
        if kind is None:
            shadowed = target != path and source.is_module(path)
            hint = f" (the submodule {path} hides it from the docs: rename one)"
            missing.append(
                f"{dist}: {path}: no entry in the API reference{hint if shadowed else ''}"
            )
        elif (kind == "module") != source.is_module(target):
            missing.append(
                f"{dist}: {path}: the entry shows a {kind}, but {path} is "
                f"{'a module' if source.is_module(target) else 'not a module'} "
                f"(a name shadowed by a submodule?)"
            )
    return missing + problems


def check_site(site: Path, root: Path = ROOT) -> dict[str, list[str]]:
    """Problems by package, for every package with a ``src/`` under ``packages/``."""
    report = {}
    for pyproject in sorted((root / "packages").glob("*/pyproject.toml")):
        dist = pyproject.parent.name
        pages = sorted((site / "packages" / dist).rglob("*.html"))
        report[dist] = check_package(dist, pages, pyproject.parent / "src")
    return report


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    report = check_site(Path(argv[0]))
    for dist, problems in report.items():
        print(f"{dist}: {len(problems)} problem(s)")
        for problem in problems:
            print(f"  {problem}")
    return 1 if any(report.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
