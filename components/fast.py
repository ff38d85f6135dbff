"""Layout elements as their JSON form, for large repeated pieces (dozens of KPI tiles).

A Dash component object validates its properties when it is built (~80 µs each); a board of 16
tiles is ~400 components, most of a render's time. The renderer only needs the JSON form
``{"type", "namespace", "props"}``, which these helpers build directly. Use them for pieces built
many times per render; keep ordinary components elsewhere.
"""

from __future__ import annotations

from typing import Any


def el(tag: str, children: Any = None, **props: Any) -> dict:
    """An ``html.<tag>`` element: ``el("Div", [...], className="x")``."""
    if children is not None:
        props["children"] = children
    return {"type": tag, "namespace": "dash_html_components", "props": props}


def link(children: Any, href: str, **props: Any) -> dict:
    """A ``dcc.Link`` (client-side navigation)."""
    props.update(children=children, href=href)
    return {"type": "Link", "namespace": "dash_core_components", "props": props}


def graph(figure: dict, **props: Any) -> dict:
    """A ``dcc.Graph`` drawing ``figure`` (a figure's JSON form, as the builders of
    :mod:`components.charts` return it)."""
    props["figure"] = figure
    return {"type": "Graph", "namespace": "dash_core_components", "props": props}


def store(ident: Any, data: Any) -> dict:
    """A ``dcc.Store`` (memory storage) holding ``data``."""
    return {"type": "Store", "namespace": "dash_core_components", "props": {"id": ident, "data": data}}


def texts(node: Any) -> list[str]:
    """Every string in a tree of fast elements and/or components (for tests)."""
    out: list[str] = []
    if isinstance(node, str | int | float) and not isinstance(node, bool):
        out.append(str(node))
    elif isinstance(node, (list, tuple)):
        for child in node:
            out.extend(texts(child))
    elif isinstance(node, dict) and "props" in node:
        out.extend(texts(node["props"].get("children")))
    elif hasattr(node, "children"):
        out.extend(texts(node.children))
    return out
