"""Helpers of the access-control tests (issue 8): an app with access control on, principals with
their clients, the confidential strings that must never reach an uncleared viewer."""

from __future__ import annotations

import json
import re
from pathlib import Path

from settings import ROOT

ORIGIN = "http://localhost"
CONFIDENTIAL_CODES = ("GDP_FLASH", "BUDGET_DEFICIT_FORECAST", "NPL_RATIO", "FX_RESERVES")
DISTINCTIVE = 98765.4321  # written as the latest FX_RESERVES value of the test warehouse
DISTINCTIVE_FORMS = ("98765", "98.765", "98,765")


def write_distinctive(engine) -> None:
    """Write :data:`DISTINCTIVE` as the latest national FX_RESERVES value, in a new data version."""
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.execute(text(
            "UPDATE current_observation SET value = :v WHERE indicator_id = (SELECT id FROM indicator WHERE code = "
            "'FX_RESERVES') AND area_id = (SELECT id FROM area WHERE key = 'VN') AND period_start = (SELECT "
            "MAX(period_start) FROM current_observation WHERE indicator_id = (SELECT id FROM indicator WHERE "
            "code = 'FX_RESERVES'))"), {"v": DISTINCTIVE})
        conn.execute(text("UPDATE data_version SET version = version + 1"))


def confidential_strings() -> list[str]:
    """Codes and names (both languages) of the confidential indicators, as they may appear raw or
    JSON-escaped in a body, plus the distinctive value in every format."""
    rows = json.loads((Path(ROOT) / "data_access/reference/metadata-demo.json").read_text(encoding="utf-8"))["indicators"]
    out = list(CONFIDENTIAL_CODES) + list(DISTINCTIVE_FORMS)
    for r in rows:
        if r["code"] in CONFIDENTIAL_CODES:
            for name in (r["name_vi"], r["name_en"]):
                out += [name, json.dumps(name)[1:-1]]
    return out


def leaks(body: bytes | str) -> list[str]:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return [s for s in confidential_strings() if s in text]


def csrf_from(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert m, "no CSRF token in the form"
    return m.group(1)


def sign_in(client, username: str, password: str, next_path: str = "", **extra):
    page = client.get("/signin")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/signin", data={"csrf_token": token, "username": username, "password": password,
                                        "next": next_path, **extra}, headers={"Origin": ORIGIN})


def post_callback(client, body: dict, **headers):
    return client.post("/_dash-update-component", data=json.dumps(body),
                       headers={"Content-Type": "application/json", "Origin": ORIGIN, **headers})


def router_body(pathname: str, search: str = "") -> dict:
    return {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}


def dep_id(dep: dict):
    """The id of a callback input or state of Dash's callback map (pattern-matching ids decoded)."""
    ident = dep["id"]
    if isinstance(ident, str) and ident.startswith("{"):
        try:
            ident = json.loads(ident)
        except ValueError:
            pass
    return ident


def _concrete(dep: dict, value=None) -> dict | list:
    """A body item for a declared dependency as the browser sends it: wildcards of a
    pattern-matching id filled with one component's index, ALL/ALLSMALLER as a list of one."""
    from auth.declared import gathers_many

    ident = dep_id(dep)
    if isinstance(ident, dict):
        ident = {k: (0 if isinstance(v, list) else v) for k, v in ident.items()}
    item = {"id": ident, "property": dep["property"]}
    if value is not ...:
        item["value"] = value
    return [item] if gathers_many(dep_id(dep)) else item


def callback_body(output: str, entry: dict, value=None, values: list | None = None) -> dict:
    """A well-formed body for the callback registered under ``output``: every input and state
    ``value``, or ``values`` (the inputs' then the states', in order)."""
    from auth.declared import output_deps

    deps = entry.get("inputs", []) + entry.get("state", [])
    values = [value] * len(deps) if values is None else values
    items = [_concrete(d, v) for d, v in zip(deps, values, strict=True)]
    n = len(entry.get("inputs", []))
    outs = [_concrete(d, ...) for d in output_deps(entry)]
    multi = isinstance(entry.get("output"), (list, tuple))
    return {"output": output, "outputs": outs if multi else outs[0],
            "inputs": items[:n], "state": items[n:], "changedPropIds": []}


def fixed_auth_clock():
    """The auth package's clock held at one morning for a test (sessions, the throttle, the audit
    log), then released: ``yield from fixed_auth_clock()`` in a module's autouse fixture."""
    from datetime import datetime

    from auth import clock

    clock.set(datetime(2026, 11, 26, 9, 0, 0))
    yield
    clock.reset()
