"""View state in the URL. ``url_sync(page, [(component_id, prop, param), ...])`` registers a
clientside callback that mirrors control values into the query string with ``history.pushState``
(see ``assets/app.js``): figures update in place through the page's own callbacks, a copied link
restores the view (pages read their state from ``layout(**query)``), and the back button works
(Dash's Location hears ``popstate`` and the page re-renders from the URL).

Everything a page gets back from the browser (URL parameters, control values, stores) is
untrusted: any JSON value may arrive where a string was rendered. The readers below
(``as_text``, ``one_of``, ``parse_list``, ``as_dict``, ``as_date``, ``as_datetime``; period keys:
``domain.periods.clean_key``) turn such a value into the expected type or the caller's
default, and never raise. Layouts and callbacks read their inputs through them."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

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


def parse_list(value: Any, allowed: Collection[str] | None = None) -> list[str]:
    """``"01,79"`` (lists travel comma-separated in the URL) or ``["01", "79"]`` (a multi-select's
    value) → ``["01", "79"]``: the non-empty strings, in order, without repeats (and only those in
    ``allowed`` when given). Anything else (a number, an object) gives ``[]``."""
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list | tuple):
        items = [v for v in value if isinstance(v, str)]
    else:
        return []
    return [v for v in dict.fromkeys(items) if v and (allowed is None or v in allowed)]


def as_text(value: Any, default: str | None = None) -> str | None:
    """``value`` when it is a non-empty string, else ``default`` (a number, a list, an object, an
    empty string)."""
    return value if isinstance(value, str) and value else default


def one_of(value: Any, allowed: Collection[str], default: str | None = None) -> str | None:
    """``value`` when it is one of the strings ``allowed``, else ``default``."""
    return value if isinstance(value, str) and value in allowed else default


def as_dict(value: Any) -> dict:
    """A store's data that should be an object: itself when it is one, else ``{}``."""
    return value if isinstance(value, dict) else {}


def as_date(value: Any, default: date | None = None) -> date | None:
    """An ISO date (``2026-11-26``, as a date picker sends it, possibly with a time part after
    it), else ``default``."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            pass
    return default


def as_datetime(value: Any, default: datetime | None = None) -> datetime | None:
    """An ISO date and time (``2026-11-26T08:30:00``), else ``default``."""
    if isinstance(value, str) and len(value) <= 40:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    return default
