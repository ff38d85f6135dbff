"""View state in the URL. ``url_sync(page, [(component_id, prop, param), ...])`` registers a
clientside callback that mirrors control values into the query string with ``history.pushState``
(see ``assets/app.js``): figures update in place through the page's own callbacks, a copied link
restores the view (pages read their state from ``layout(**query)``), and the back button works
(Dash's Location hears ``popstate`` and the page re-renders from the URL)."""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, clientside_callback, dcc


class ids:
    names = staticmethod(lambda page: {"type": "url-sync-names", "page": page})
    sink = staticmethod(lambda page: {"type": "url-sync-sink", "page": page})


def url_sync(page: str, bindings: list[tuple[str | dict, str, str]]) -> None:
    """Register the mirror for ``page`` (call at import time of the page module)."""
    clientside_callback(
        ClientsideFunction(namespace="occ", function_name="syncUrl"),
        Output(ids.sink(page), "data"),
        *[Input(cid, prop) for cid, prop, _ in bindings],
        State(ids.names(page), "data"),
    )


def url_sync_stores(page: str, bindings: list[tuple[str | dict, str, str]]) -> list:
    """The two small stores ``url_sync`` needs; put them in the page's layout."""
    return [dcc.Store(id=ids.names(page), data=[param for _, _, param in bindings]), dcc.Store(id=ids.sink(page))]


def parse_list(value: str | None) -> list[str]:
    """``"01,79"`` → ``["01", "79"]`` (lists travel comma-separated in the URL)."""
    return [v for v in (value or "").split(",") if v]
