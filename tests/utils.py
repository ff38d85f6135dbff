"""Helpers the tests share: walking a layout tree (Dash components and the fast elements of
components/fast.py), finding components by id, reading its text; waiting for a condition."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from components.fast import texts

T = TypeVar("T")


def until(predicate: Callable[[], T], timeout: float = 20.0, what: str = "condition", interval: float = 0.02) -> T:
    """Wait for ``predicate()`` to be true (polled every ``interval`` seconds) and return its value,
    or fail after ``timeout`` seconds. Tests wait on what they need, never for a fixed time."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        threading.Event().wait(interval)


def page_fixture(fixture_name: str, module: str) -> Any:
    """A fixture named ``fixture_name``: the page module ``module`` as the seeded app imported it,
    used inside a request (pytest registers a fixture under its own name, hence the argument)."""
    def fixture(seeded_app: Any) -> Iterator[Any]:
        with seeded_app.test_request_context("/"):
            yield importlib.import_module(module)
    return pytest.fixture(fixture, name=fixture_name)


def walk(tree: Any) -> Iterator[Any]:
    """Every Dash component in a layout tree, depth first (fast elements are looked through)."""
    if isinstance(tree, list | tuple):
        for child in tree:
            yield from walk(child)
    elif isinstance(tree, dict) and "props" in tree:
        yield from walk(tree["props"].get("children"))
        yield from walk(tree["props"].get("tree"))  # fast.static
    elif hasattr(tree, "to_plotly_json"):
        yield tree
        yield from walk(getattr(tree, "children", None))


def ids_in(tree: Any) -> dict:
    """Every component or fast element with an id, by id (pattern-matching ids as sorted JSON)."""
    found: dict = {}

    def key(cid):
        return json.dumps(cid, sort_keys=True) if isinstance(cid, dict) else cid

    def visit(node):
        if isinstance(node, list | tuple):
            for child in node:
                visit(child)
        elif isinstance(node, dict) and "props" in node:
            if node["props"].get("id") is not None:
                found[key(node["props"]["id"])] = node
            visit(node["props"].get("children"))
            visit(node["props"].get("tree"))  # fast.static
        elif hasattr(node, "to_plotly_json"):
            if getattr(node, "id", None) is not None:
                found[key(node.id)] = node
            visit(getattr(node, "children", None))

    visit(tree)
    return found


def hrefs_of_links(tree: Any) -> list[str]:
    """The addresses of every link (dcc.Link, as a component or a fast element) in a tree."""
    out: list[str] = []

    def visit(node):
        if hasattr(node, "to_plotly_json"):
            node = node.to_plotly_json()
        if isinstance(node, list | tuple):
            for child in node:
                visit(child)
        elif isinstance(node, dict) and "props" in node:
            if node.get("type") == "Link":
                out.append(node["props"]["href"])
            visit(node["props"].get("children"))
            visit(node["props"].get("tree"))  # fast.static

    visit(tree)
    return out


def text_of(tree: Any) -> str:
    """All the text of a tree, whitespace collapsed."""
    return " ".join(" ".join(texts(tree)).split())


def kids(node: Any) -> Any:
    """The children of a component or of a fast element."""
    return node["props"].get("children") if isinstance(node, dict) else node.children


def classes(node: Any) -> str:
    """The className of a component or of a fast element ("" when it has none)."""
    return (node["props"].get("className") if isinstance(node, dict) else node.className) or ""


def bar_rows(tree: dict) -> list[dict]:
    """The rows of a list of bars (components/barlist.py) as the browser draws them: key, rank,
    name, link, value, faded, highlight and the bar's width (percent); an empty state is one row
    holding its text under "empty"."""
    assert tree["namespace"] == "occ_static"  # one component, no chart
    box = tree["props"]["tree"]
    if box["type"] == "P":
        return [{"empty": box["props"]["children"]}]
    (ol,) = [c for c in box["props"]["children"] if c["type"] == "Ol"]
    rows = []
    for li in ol["props"]["children"]:
        rank, name, track, value = li["props"]["children"]
        bar = [b for b in track["props"]["children"] if "bar-list-bar" in b["props"]["className"]][0]
        rows.append({"key": li["props"]["data-key"], "rank": rank["props"]["children"],
                     "name": name["props"]["children"], "href": name["props"].get("href"),
                     "value": value["props"]["children"], "faded": li["props"].get("className") == "faded",
                     "highlight": li["props"].get("className") == "highlight",
                     "width": float(bar["props"]["style"]["width"].rstrip("%"))})
    return rows


def node_json(script: str, asset: str, data: Any) -> Any:
    """Run ``script`` in node with ``assets/<asset>`` as ``process.argv[1]`` and ``data`` (as JSON)
    as ``process.argv[2]``; what it writes to its output, read as JSON (the page's own JavaScript,
    tested without a browser)."""
    path = Path(__file__).resolve().parents[1] / "assets" / asset
    out = subprocess.run([shutil.which("node") or "node", "-e", script, str(path), json.dumps(data)],
                         capture_output=True, text=True, check=True, timeout=60)
    return json.loads(out.stdout)
