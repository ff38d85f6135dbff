"""The UI's layering, read from the source: pages are register_page, ids, layout and callbacks —
they reach neither the engine nor the API package (views/ and data_access do that); components
and pages build figures as their JSON form (no plotly figure objects at run time); the wall's
board callbacks come from one table."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _runtime_imports(path: Path) -> set[str]:
    """Modules imported by ``path`` outside ``if TYPE_CHECKING:`` blocks (function-level included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and getattr(node.test, "id", None) == "TYPE_CHECKING" for n in ast.walk(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "dashboards").glob("*.py")))
def test_uil001_pages_reach_neither_the_engine_nor_the_api(page):
    imports = _runtime_imports(ROOT / "dashboards" / page)
    assert not {m for m in imports if m == "data_access.engine" or m.startswith("data_access.engine.")}
    assert not {m for m in imports if m == "api" or m.startswith("api.")}
    assert "flask.current_app" not in imports


@pytest.mark.parametrize("module", sorted(f"{p.parent.name}/{p.name}" for d in ("components", "dashboards", "views")
                                          for p in (ROOT / d).glob("*.py")))
def test_uil002_figures_are_json_forms(module):
    assert "plotly.graph_objects" not in _runtime_imports(ROOT / module)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_uil003_one_refresh_callback_per_wall_board(seeded_app):
    from dash._callback import GLOBAL_CALLBACK_MAP

    from components.wallboards import BOARDS
    from dashboards import wall

    assert tuple(wall.refresh) == tuple(wall.BOARD_CONTENT) == BOARDS
    outputs = {key for key in GLOBAL_CALLBACK_MAP if '"type":"wall-board"' in key}
    assert len(outputs) == len(BOARDS)
    assert all(f'"name":"{name}"' in " ".join(outputs) for name in BOARDS)
