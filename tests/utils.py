"""Helpers the page tests share: walking a layout tree (Dash components and the fast elements of
components/fast.py), finding components by id, reading its text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from components.fast import texts


def walk(tree: Any) -> Iterator[Any]:
    """Every Dash component in a layout tree, depth first (fast elements are looked through)."""
    if isinstance(tree, list | tuple):
        for child in tree:
            yield from walk(child)
    elif isinstance(tree, dict) and "props" in tree:
        yield from walk(tree["props"].get("children"))
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
        elif hasattr(node, "to_plotly_json"):
            if getattr(node, "id", None) is not None:
                found[key(node.id)] = node
            visit(getattr(node, "children", None))

    visit(tree)
    return found


def text_of(tree: Any) -> str:
    """All the text of a tree, whitespace collapsed."""
    return " ".join(" ".join(texts(tree)).split())


def kids(node: Any) -> Any:
    """The children of a component or of a fast element."""
    return node["props"].get("children") if isinstance(node, dict) else node.children


def classes(node: Any) -> str:
    """The className of a component or of a fast element ("" when it has none)."""
    return (node["props"].get("className") if isinstance(node, dict) else node.className) or ""
