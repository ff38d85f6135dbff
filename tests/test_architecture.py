"""The layers' contracts, checked on the source (``ast``; nothing is imported, no dependency).

Every ``import`` and ``from ... import`` counts: at module level, inside functions, under
``if TYPE_CHECKING:``, and ``importlib.import_module("literal")``. A function-level import hides a
dependency from a reader but not from this test. Each failure names the module, the line and the
imported name, so the fix is where the message points.

The contracts are data (below): a newcomer changes the architecture here, in one place, and the
self-tests at the bottom show the checker catches each kind of violation.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Top-level folders and modules that are not the product: tests, tools and migrations may import
# anything of the product; the product imports none of them.
NOT_PRODUCT = frozenset({"tests", "bench", "scripts", "migrations", "docs", "assets", "instance", "node_modules"})

# (source package, packages it must not import, why). "*" means every product package but itself.
FORBIDDEN: tuple[tuple[str, frozenset[str] | str, str], ...] = (
    ("domain", "*", "the domain core holds pure rules and depends on nothing of the product"),
    ("data_access", frozenset({"components", "dashboards", "views", "web", "ingest", "api", "exports", "auth"}),
     "the data layer reads the warehouse and knows no screen, writer or credential"),
)

# Libraries a package must not import (the domain has no SQL, Flask or Dash).
FORBIDDEN_LIBRARIES: tuple[tuple[str, frozenset[str], str], ...] = (
    ("domain", frozenset({"sqlalchemy", "psycopg2", "flask", "flask_caching", "werkzeug", "dash", "plotly"}),
     "pure rules: no SQL, Flask or Dash"),
)

MAX_LINES = 500
# A longer module says why on its first docstring line, "... (long: <reason>)", or in a
# "# size: <reason>" comment before its first statement.
LONG_REASON_DOC = re.compile(r"\(long:\s*\S[^)]*\)")
LONG_REASON_COMMENT = re.compile(r"^#\s*size:\s*\S")
# Size is checked everywhere except generated migrations.
SIZE_EXEMPT = frozenset({"migrations"})


@dataclass(frozen=True)
class Import:
    """One import statement's target, where it was written."""

    module: str  # the importing module, dotted ("data_access.cache")
    path: str  # relative to the root scanned
    line: int
    target: str  # the imported module or name, dotted ("components.stale_banner")

    @property
    def package(self) -> str:
        return self.module.split(".")[0]

    @property
    def target_package(self) -> str:
        return self.target.split(".")[0]

    def __str__(self) -> str:
        return f"{self.path}:{self.line} ({self.module}) imports {self.target}"


def python_files(root: Path) -> list[Path]:
    """Every Python file of the tree, hidden folders (``.venv``, ``.git``) left out."""
    return sorted(p for p in root.rglob("*.py")
                  if not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(root).parts))


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_packages(root: Path) -> frozenset[str]:
    """Top-level packages and modules of the product (``app``, ``settings``, ``data_access``, ...)."""
    tops = {path.relative_to(root).parts[0].removesuffix(".py") for path in python_files(root)}
    # a file such as gunicorn.conf.py is configuration, not an importable module
    return frozenset(top for top in tops - NOT_PRODUCT if top.isidentifier())


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The absolute target of ``from <level dots><name> import ...`` written in ``module``."""
    base = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        base = base[:len(base) - (level - 1)]
    return ".".join([*base, name] if name else base)


def imports_of(root: Path, path: Path) -> list[Import]:
    """Every import written in one file, resolved to absolute dotted names."""
    module = module_name(root, path)
    is_package = path.name == "__init__.py"
    rel = path.relative_to(root).as_posix()
    stat = path.stat()
    tree = _parse(path, stat.st_mtime_ns, stat.st_size)
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(module, rel, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, is_package, node.level, node.module) if node.level else node.module or ""
            found += [Import(module, rel, node.lineno, f"{source}.{alias.name}" if alias.name != "*" else source)
                      for alias in node.names]
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str) and _is_import_call(node.func)):
            found.append(Import(module, rel, node.lineno, node.args[0].value))
    return found


@functools.lru_cache(maxsize=4096)
def _parse(path: Path, mtime_ns: int, size: int) -> ast.Module:
    """A file's syntax tree, parsed once for all three contracts (a changed file is parsed again)."""
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _is_import_call(func: ast.expr) -> bool:
    """``importlib.import_module(...)``, ``import_module(...)`` or ``__import__(...)``."""
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name in ("import_module", "__import__")


def all_imports(root: Path, packages: frozenset[str]) -> list[Import]:
    """The imports of the product's modules that reach another product module."""
    found: list[Import] = []
    for path in python_files(root):
        if path.relative_to(root).parts[0].removesuffix(".py") in packages:
            found += [i for i in imports_of(root, path) if i.target_package in packages]
    return found


def forbidden_imports(root: Path, contracts=FORBIDDEN, libraries=FORBIDDEN_LIBRARIES) -> list[str]:
    """One line per import that breaks a layer contract, or per contract naming a missing package."""
    packages = product_packages(root)
    problems: list[str] = []
    for source, banned, why in contracts:
        if source not in packages:
            problems.append(f"contract on {source!r}: no such package under {root.name}/")
            continue
        banned = packages - {source} if banned == "*" else banned
        problems += [f"{i} — {source} must not import {i.target_package}: {why}"
                     for i in all_imports(root, packages) if i.package == source and i.target_package in banned]
    for source, banned, why in libraries:
        for path in python_files(root):
            if path.relative_to(root).parts[0] == source:
                problems += [f"{i} — {source} must not import {i.target_package}: {why}"
                             for i in imports_of(root, path) if i.target_package in banned]
    return problems


def package_graph(imports: list[Import]) -> dict[str, dict[str, list[Import]]]:
    """package -> imported package -> the import statements that make that edge."""
    graph: dict[str, dict[str, list[Import]]] = {}
    for i in imports:
        if i.package != i.target_package:
            graph.setdefault(i.package, {}).setdefault(i.target_package, []).append(i)
    return graph


def strongly_connected(graph: dict[str, dict[str, list[Import]]]) -> list[list[str]]:
    """Tarjan's components of more than one package: each is a set of packages in a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, {})):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def _shortest_path(graph: dict[str, dict[str, list[Import]]], start: str, goal: str, within: set[str]) -> list[str]:
    """Packages from ``start`` to ``goal`` along import edges inside ``within`` (breadth first)."""
    previous: dict[str, str | None] = {start: None}
    queue = [start]
    while queue:
        node = queue.pop(0)
        if node == goal:
            path = [node]
            while previous[path[-1]] is not None:
                path.append(previous[path[-1]])
            return path[::-1]
        for nxt in sorted(graph.get(node, {})):
            if nxt in within and nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    return []


def _sites(imports: list[Import]) -> list[str]:
    """Import statements, one per line of source (``from x import a, b`` stays one entry)."""
    lines: dict[tuple[str, int, str], list[str]] = {}
    for i in imports:
        lines.setdefault((i.path, i.line, i.module), []).append(i.target)
    return [f"{path}:{line} ({module}) imports {', '.join(targets)}"
            for (path, line, module), targets in sorted(lines.items())]


def import_cycles(root: Path) -> list[str]:
    """One block per group of packages that import each other: the shortest cycle through each of
    its import edges, then every import statement that makes those edges."""
    graph = package_graph(all_imports(root, product_packages(root)))
    problems = []
    for component in strongly_connected(graph):
        members = set(component)
        cycles: set[tuple[str, ...]] = set()
        for src in component:
            for dst in graph.get(src, {}):
                if dst in members:
                    loop = [src, *_shortest_path(graph, dst, src, members)[:-1]]
                    turn = loop.index(min(loop))
                    cycles.add(tuple(loop[turn:] + loop[:turn]))
        text = [f"import cycle between {', '.join(component)}:"]
        text += [f"  cycle {' -> '.join([*c, c[0]])}" for c in sorted(cycles, key=lambda c: (len(c), c))]
        for src in component:
            for dst, sites in sorted(graph.get(src, {}).items()):
                if dst in members:
                    text.append(f"  {src} -> {dst}:")
                    text += [f"    {site}" for site in _sites(sites)]
        problems.append("\n".join(text))
    return problems


def _has_size_reason(source: str) -> bool:
    tree = ast.parse(source)
    doc = ast.get_docstring(tree, clean=False)
    if doc and LONG_REASON_DOC.search(doc.strip().splitlines()[0] if doc.strip() else ""):
        return True
    body = [n for n in tree.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
                                          and isinstance(n.value.value, str) and n is tree.body[0])]
    first_code = body[0].lineno if body else len(source.splitlines()) + 1
    return any(LONG_REASON_COMMENT.match(line.strip()) for line in source.splitlines()[:first_code - 1])


def oversized_modules(root: Path, limit: int = MAX_LINES) -> list[str]:
    """Modules longer than ``limit`` lines that do not say why at their top."""
    problems = []
    for path in python_files(root):
        if path.relative_to(root).parts[0] in SIZE_EXEMPT:
            continue
        source = path.read_text(encoding="utf-8")
        lines = len(source.splitlines())
        if lines > limit and not _has_size_reason(source):
            problems.append(f"{path.relative_to(root).as_posix()}: {lines} lines (over {limit}) with no "
                            "'(long: <reason>)' on its docstring's first line or '# size: <reason>' at its top")
    return problems


def _report(problems: list[str]) -> str:
    return f"{len(problems)} violation(s):\n" + "\n".join(problems)


# --- the product ---------------------------------------------------------------------------------------


def test_arch001_layers_import_only_downwards():
    problems = forbidden_imports(ROOT)
    assert not problems, _report(problems)


def test_arch002_no_import_cycle_between_packages():
    problems = import_cycles(ROOT)
    assert not problems, _report(problems)


def test_arch003_long_modules_say_why():
    problems = oversized_modules(ROOT)
    assert not problems, _report(problems)


# --- the checker catches what it is for ------------------------------------------------------------------


def _plant(root: Path, files: dict[str, str]) -> Path:
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return root


CLEAN_TREE = {
    "domain/__init__.py": "",
    "domain/periods.py": "import datetime\n\n\ndef key(d):\n    return d.isoformat()\n",
    "data_access/__init__.py": "",
    "data_access/series.py": "from domain.periods import key\nfrom . import series as _self\n",
    "components/__init__.py": "from data_access import series\n",
    "dashboards/__init__.py": "import components\nfrom data_access.series import key\n",
    "app.py": "import dashboards\n",
    "gunicorn.conf.py": "import gunicorn.app\n",
    "tests/test_x.py": "import app\nimport domain\n",
}


def test_arch901_a_clean_tree_passes(tmp_path):
    root = _plant(tmp_path, CLEAN_TREE)
    assert product_packages(root) == {"domain", "data_access", "components", "dashboards", "app"}
    assert forbidden_imports(root) == [] and import_cycles(root) == [] and oversized_modules(root) == []


def test_arch902_planted_upward_imports_are_named_with_their_line(tmp_path):
    root = _plant(tmp_path, {
        **CLEAN_TREE,
        # a function-level import, a relative one, one under TYPE_CHECKING and a dynamic one
        "domain/periods.py": "import datetime\n\n\ndef key(d):\n    from data_access import series\n"
                             "    return d.isoformat()\n",
        "data_access/cache.py": "from typing import TYPE_CHECKING\nfrom ..components import banner\n"
                                "if TYPE_CHECKING:\n    from dashboards.wall import WALL_STORE\n",
        "data_access/lazy.py": "import importlib\n\n\ndef page():\n    return importlib.import_module('dashboards.wall')\n",
        "domain/sql.py": "import sqlalchemy as sa\n",
    })
    problems = forbidden_imports(root)
    assert any(p.startswith("domain/periods.py:5 (domain.periods) imports data_access.series") for p in problems)
    assert any(p.startswith("data_access/cache.py:2 (data_access.cache) imports components.banner") for p in problems)
    assert any(p.startswith("data_access/cache.py:4 (data_access.cache) imports dashboards.wall.WALL_STORE")
               for p in problems)
    assert any(p.startswith("data_access/lazy.py:5 (data_access.lazy) imports dashboards.wall") for p in problems)
    assert any(p.startswith("domain/sql.py:1 (domain.sql) imports sqlalchemy") for p in problems)
    assert len(problems) == 5, problems


def test_arch903_a_planted_cycle_is_found_through_a_function_level_import(tmp_path):
    root = _plant(tmp_path, {**CLEAN_TREE, "data_access/series.py": "def f():\n    import app\n"})
    (cycle,) = import_cycles(root)
    assert cycle.startswith("import cycle between app, components, dashboards, data_access:\n"
                            "  cycle app -> dashboards -> data_access -> app\n"
                            "  cycle app -> dashboards -> components -> data_access -> app\n")
    assert "  data_access -> app:\n    data_access/series.py:2 (data_access.series) imports app" in cycle
    assert "    dashboards/__init__.py:2 (dashboards) imports data_access.series.key" in cycle
    assert "tests/" not in cycle  # tests may import anything


def test_arch904_a_contract_on_a_missing_package_fails(tmp_path):
    root = _plant(tmp_path, {k: v for k, v in CLEAN_TREE.items() if not k.startswith("domain/")})
    assert forbidden_imports(root) == [f"contract on 'domain': no such package under {root.name}/"]


def test_arch905_long_modules_need_a_reason(tmp_path):
    filler = "x = 1\n" * 600
    root = _plant(tmp_path, {
        **CLEAN_TREE,
        "data_access/silent.py": '"""Reads."""\n' + filler,
        "data_access/late.py": '"""Reads."""\nimport os\n# size: too late, after the first statement\n' + filler,
        "data_access/doc.py": '"""Reads of one kind (long: one query per board, kept together).\n\nMore."""\n' + filler,
        "data_access/comment.py": "# size: generated lookup table\n" + filler,
        "data_access/exact.py": "x = 1\n" * 500,
        "migrations/versions/0001.py": filler,
    })
    problems = oversized_modules(root)
    assert [p.split(":")[0] for p in problems] == ["data_access/late.py", "data_access/silent.py"], problems
    assert "601 lines (over 500)" in problems[1]
