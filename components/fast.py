"""Layout elements as their JSON form, for large repeated pieces (dozens of KPI tiles).

A Dash component object validates its properties when it is built (~80 µs each); a board of 16
tiles is ~400 components, most of a render's time. The renderer only needs the JSON form
``{"type", "namespace", "props"}``, which these helpers build directly. Use them for pieces built
many times per render; keep ordinary components elsewhere. A large piece nothing updates goes to
the browser as one component (:func:`static`), so the renderer does not track each element.
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


#: What :func:`static` may hold, as assets/static_tree.js draws it (the same lists; a test checks).
STATIC_TAGS = frozenset(
    "a abbr b br caption code col colgroup dd del details div dl dt em figcaption figure footer h1 h2 h3 h4 h5 "
    "h6 header hr i img ins kbd li mark meter nav ol p progress s section small span strong sub summary sup table "
    "tbody td tfoot th thead time tr u ul".split())
STATIC_ATTRS = frozenset(
    "className title alt scope colSpan rowSpan role tabIndex hidden lang dateTime style width height value max "
    "min open dir headers abbr".split())


def static(tree: Any, **props: Any) -> dict:
    """One Dash component drawing ``tree`` (fast elements or ``html.*`` components, and links) as
    plain React elements (assets/static_tree.js).

    Dash wraps each component of a layout in its own store subscriber and runs every one of them
    on every store update, so a board's cost in the browser grows as components x callbacks. A
    large piece nothing updates (a tile grid, the compliance matrix, a wall board) is therefore
    sent as one component; the DOM drawn is the same. Only the tags and attributes of
    :data:`STATIC_TAGS` / :data:`STATIC_ATTRS` (and ``id``, ``href``, ``src``, ``aria-*``,
    ``data-*``) are drawn; anything else is dropped (:func:`static_problems` names it, for tests).
    No callback can target an element inside."""
    props["tree"] = tree
    return {"type": "Static", "namespace": "occ_static", "props": props}


def deferred(children: Any, *, label: str, min_height: int, **props: Any) -> dict:
    """``children`` (any components) mounted in the browser only when they come near the screen
    (assets/deferred.js): for a part of a board below its first screen (a table, a row of charts).
    The part stays in the layout, so its callbacks run and fill it as before; until it is mounted
    a holder of ``min_height`` pixels keeps the page's height, and is a tab stop named ``label``
    that mounts it on focus. Printing mounts it too. With ``within`` (a CSS selector of an
    enclosing piece) and ``shown_class``, it also waits until that piece has the class (a wall's
    board is laid out, unseen, until its turn)."""
    props.update(children=children, label=label, min_height=min_height)
    return {"type": "Deferred", "namespace": "occ_defer", "props": props}


def province_map(spec: dict, **props: Any) -> dict:
    """The provinces' map drawn as SVG in the browser (assets/map.js, ``occ_map.ProvinceMap``) from
    ``spec`` (:func:`components.mapfig.map_spec`): the era's geometry is fetched once and kept; a
    click on a province opens ``spec["profile"]`` for it."""
    props["spec"] = spec
    return {"type": "ProvinceMap", "namespace": "occ_map", "props": props}


def line_chart(figure: dict, **props: Any) -> dict:
    """A line chart drawn as SVG in the browser (assets/linechart.js, ``occ_chart.LineChart``)
    from ``figure``, the JSON form :func:`components.indicator_charts.series_figure` builds for
    Plotly (its lines, markers, targets, shapes and notes): no chart library to start."""
    props["figure"] = figure
    return {"type": "LineChart", "namespace": "occ_chart", "props": props}


def static_problems(node: Any, where: str = "tree") -> list[str]:
    """What :func:`static` would not draw in ``node`` (an unknown tag or component, an attribute
    dropped), each with its place: empty when the whole tree is drawn."""
    out: list[str] = []
    if hasattr(node, "to_plotly_json"):  # a Dash component: drawn from its JSON form
        node = node.to_plotly_json()
        node = {**node, "props": {k: v for k, v in node["props"].items() if v is not None}}
    if isinstance(node, (list, tuple)):
        for i, child in enumerate(node):
            out.extend(static_problems(child, f"{where}[{i}]"))
    elif isinstance(node, dict):
        kind, ns, props = node.get("type"), node.get("namespace"), node.get("props", {})
        link_ = ns == "dash_core_components" and kind == "Link"
        if not link_ and not (ns == "dash_html_components" and str(kind).lower() in STATIC_TAGS):
            return [f"{where}: {ns}.{kind} is not drawn"]
        for name in props:
            if not (name in STATIC_ATTRS or name in ("children", "id") or name.startswith(("aria-", "data-"))
                    or (name == "href" and (link_ or kind == "A")) or (name == "src" and kind == "Img")):
                out.append(f"{where}: {kind}.{name} is dropped")
        out.extend(static_problems(props.get("children"), f"{where}/{kind}"))
    elif not (node is None or isinstance(node, (str, int, float, bool))):
        out.append(f"{where}: {type(node).__name__} is not a fast element")
    return out


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
        out.extend(texts(node["props"].get("tree")))
    elif hasattr(node, "children"):
        out.extend(texts(node.children))
    return out
