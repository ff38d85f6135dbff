"""The "data may be stale" mark of the desk pages, and the notice shown in place of a page that
cannot be rendered while the warehouse is away.

The banner is mounted once in the shell and driven in the browser by ``assets/stale.js``: a poll
of ``/api/v1/version`` every 30 s (503 while the warehouse is down) and the ``X-OCC-Stale``
header of callback responses served from last-known data (:mod:`web.responses`) show it; the
next successful poll hides it. The wall has its own mark ("Mất kết nối từ HH:MM", ``assets/wall.js``),
so the banner never shows there. Both languages travel in data attributes: the language is in the
URL and the shell is rendered once.
"""

from __future__ import annotations

from dash import html

from web.lang import lang_of_query

BANNER_ID = "occ-stale-banner"
POLL_SECONDS = 30

TEXTS = {
    "vi": {"stale": "Dữ liệu có thể chưa cập nhật", "since": "mất kết nối kho dữ liệu từ {time}",
           "unavailable_title": "Tạm thời không tải được dữ liệu",
           "unavailable_body": "Không kết nối được kho dữ liệu. Trang sẽ hiển thị khi kết nối được khôi phục; "
                               "vui lòng tải lại trang sau ít phút."},
    "en": {"stale": "Data may be stale", "since": "the data warehouse has been unreachable since {time}",
           "unavailable_title": "Data temporarily unavailable",
           "unavailable_body": "The data warehouse cannot be reached. This page will show once the connection is "
                               "back; please reload in a few minutes."},
}

_STYLE = {
    "background": "#fff4ce", "color": "#4d3800", "borderBottom": "1px solid #e0b100", "padding": "6px 16px",
    "fontSize": "14px", "fontWeight": 600, "textAlign": "center",
}


def stale_banner() -> html.Div:
    """Hidden until ``assets/stale.js`` finds the warehouse away."""
    return html.Div(
        id=BANNER_ID,
        className="stale-banner",
        hidden=True,
        role="status",
        style=_STYLE,
        **{"aria-live": "polite", "data-poll-seconds": str(POLL_SECONDS),
           "data-text-vi": TEXTS["vi"]["stale"], "data-since-vi": TEXTS["vi"]["since"],
           "data-text-en": TEXTS["en"]["stale"], "data-since-en": TEXTS["en"]["since"]},
    )


def unavailable_notice(search: str = "") -> html.Div:
    """Page content for a page never rendered before, while the warehouse is away."""
    text = TEXTS[lang_of_query(search)]
    return html.Div(
        [html.H2(text["unavailable_title"]), html.P(text["unavailable_body"])],
        className="page stale-unavailable",
        role="alert",
        style={"padding": "48px 24px", "textAlign": "center"},
    )
