"""The one reader of the ``lang`` parameter (web/lang.py)."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from settings import ROOT
from web.lang import lang_of_query, lang_of_url, norm_lang, request_lang


@pytest.mark.parametrize(("value", "lang"), [("en", "en"), ("vi", "vi"), ("EN", "vi"), ("", "vi"), (None, "vi"),
                                             (["en"], "vi"), ("fr", "vi")])
def test_lng001_only_known_codes(value, lang):
    assert norm_lang(value) == lang


def test_lng002_query_strings_urls_and_requests():
    assert lang_of_query("?lang=en&x=1") == lang_of_query("x=1&lang=en") == "en"
    assert lang_of_query(None) == lang_of_query("?language=en") == lang_of_query("?lang=de") == "vi"
    assert lang_of_url("https://occ.example/indicator/X?lang=en") == "en" and lang_of_url(None) == "vi"
    app = Flask(__name__)
    with app.test_request_context("/?lang=en"):
        assert request_lang() == "en"
        assert request_lang(body={"lang": "vi"}) == "vi" and request_lang(body={}) == "en"
    with app.test_request_context("/?lang=en", method="POST", data={"lang": "vi"}):
        assert request_lang() == "en"  # the form only when asked: the guard must not parse a body
        assert request_lang(form=True) == "vi"
    with app.test_request_context("/", method="POST", data={"lang": ""}):
        assert request_lang(form=True) == "vi"


def test_lng003_no_other_reader():
    """Nothing else reads ``lang`` from a request or parses it out of a query string."""
    pattern = re.compile(r"""(request\.(args|values|form)\.get\(["']lang["']\))|(\.get\(["']lang["']\)\s*or\s*\[)""")
    offenders = [f"{path.relative_to(ROOT)}:{n}"
                 for package in ("components", "dashboards", "auth", "api", "exports", "web")
                 for path in sorted((ROOT / package).rglob("*.py")) if path.name != "lang.py"
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert offenders == []


@pytest.mark.parametrize("params", [
    {}, {"area": "01"}, {"areas": "VN,R1,R2", "area": None, "start": ""}, {"origin": "tile", "indicator": "CPI_YOY",
                                                                           "area": "VN", "period": "2026-11"},
    {"q": "giá & tiêu dùng = 100%/năm"}, {"areas": ["VN", "R1"]}, {"n": 0}, {"flag": False}, {"ids": ("a b", "c&d")},
    {"x": "<script>"}, {"a": "ố", "b": "+"},
])
@pytest.mark.parametrize("lang", ["vi", "en", 123, None])  # and what a forged request may send
def test_lng004_links_keep_the_language_and_quote_their_values(params, lang):
    """``with_lang`` writes its query string as ``urlencode(..., doseq=True)`` does (each value
    quoted, empty ones left out, lists once per item) and adds ``lang`` unless Vietnamese."""
    from urllib.parse import parse_qsl, urlencode

    from components.shell import with_lang

    query = {k: v for k, v in params.items() if v not in (None, "")}
    if lang != "vi":
        query["lang"] = lang
    expected = "/indicator/X" + ("?" + urlencode(query, doseq=True) if query else "")
    got = with_lang("/indicator/X", lang, **params)
    assert got == expected
    assert dict(parse_qsl(got.partition("?")[2])).get("lang") == (None if lang == "vi" else str(lang))
