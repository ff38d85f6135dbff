"""The one reader of the ``lang`` parameter: Vietnamese unless the request (its query string, its
form or JSON body, a page's URL) says ``lang=en``.

Every word a user sees is Vietnamese by default; English is chosen by ``?lang=en`` in the page's
URL, which every link keeps. Anything else (missing, empty, unknown, not a string) is Vietnamese.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import parse_qs, urlsplit

from flask import has_request_context, request

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"
PARAM = "lang"
#: where the document's language goes in Dash's index string (``<html lang="{%lang%}">``)
LANG_SLOT = "{%lang%}"


def norm_lang(value: object) -> str:
    """``value`` when it is a known language code, else Vietnamese."""
    return value if isinstance(value, str) and value in LANGS else DEFAULT_LANG


def lang_of_query(query: str | None) -> str:
    """The language of a query string (``?lang=en&…`` or without the ``?``)."""
    if not isinstance(query, str) or PARAM not in query:
        return DEFAULT_LANG
    return norm_lang((parse_qs(query.lstrip("?")).get(PARAM) or [None])[0])


def lang_of_url(url: str | None) -> str:
    """The language of a page's URL (e.g. the Referer of a request made by the page's script)."""
    return lang_of_query(urlsplit(url).query) if isinstance(url, str) else DEFAULT_LANG


def request_lang(*, form: bool = False, body: Mapping[str, object] | None = None) -> str:
    """The language of the current request: ``body["lang"]`` (a JSON body the caller has parsed),
    else with ``form`` the form's field, else the query string's parameter.

    The form is read only when asked: parsing it reads the request body, which code running before
    the route (the access guard) must not do."""
    if body is not None and body.get(PARAM):
        return norm_lang(body.get(PARAM))
    if form and request.form.get(PARAM):
        return norm_lang(request.form.get(PARAM))
    return norm_lang(request.args.get(PARAM))


def with_document_lang(interpolate: Callable[..., str]) -> Callable[..., str]:
    """Dash's ``interpolate_index`` with the document's language filled in (:data:`LANG_SLOT`):
    the language of the request that asks for the page, so screen readers read its words and
    numbers in that language. Outside a request: Vietnamese."""

    def interpolate_index(**parts: str) -> str:
        lang = request_lang() if has_request_context() else DEFAULT_LANG
        return interpolate(**parts).replace(LANG_SLOT, lang, 1)

    return interpolate_index
