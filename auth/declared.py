"""Does a ``/_dash-update-component`` body match the callback it names?

Dash runs the callback registered under ``body["output"]`` and hands it the values of
``body["inputs"] + body["state"]`` *by position* (``dash._utils.inputs_to_vals``); the ids and
properties the body puts beside those values are labels that Dash does not check. A guard that
read a value by its label (say, the page router's ``_pages_location.pathname``) could be told one
page while Dash rendered another. So the guard first checks that every item of the body is, at
its position, the input, state or output the callback declared (pattern-matching ids: the same
keys, the fixed values equal, the wildcards filled by a scalar), that ``changedPropIds`` names
only those inputs, and refuses anything else. After that, a value read by its label is the value
the callback receives.
"""

from __future__ import annotations

import json
from typing import Any

WILDCARDS = frozenset({"ALL", "MATCH", "ALLSMALLER"})
MAX_PATTERN_ITEMS = 1000  # components one pattern-matching input may gather (a page has dozens)
_SCALARS = (str, int, float, bool)


def declared_id(dep_id: Any) -> Any:
    """A dependency's id as Dash's callback map holds it: a string, or a pattern-matching id
    serialised as JSON (``{"index":["ALL"],"type":"exp-menu"}``) decoded to a dict."""
    if isinstance(dep_id, str) and dep_id.startswith("{"):
        try:
            return json.loads(dep_id)
        except ValueError:
            return dep_id
    return dep_id


def _wildcard(value: Any) -> str | None:
    if isinstance(value, list) and len(value) == 1 and value[0] in WILDCARDS:
        return value[0]
    return None


def gathers_many(declared: Any) -> bool:
    """An ALL or ALLSMALLER id: the body sends a list of components for it."""
    return isinstance(declared, dict) and any(_wildcard(v) in ("ALL", "ALLSMALLER") for v in declared.values())


def id_matches(declared: Any, sent: Any) -> bool:
    if not isinstance(declared, dict):
        return isinstance(sent, str) and sent == declared
    if not isinstance(sent, dict) or set(sent) != set(declared):
        return False
    for key, value in declared.items():
        got = sent[key]
        if _wildcard(value) is not None:
            if not isinstance(got, _SCALARS):
                return False
        elif type(got) is not type(value) or got != value:
            return False
    return True


def _bare(prop: Any) -> Any:
    """An output's property without the ``@<hash>`` Dash appends to ``allow_duplicate`` outputs."""
    return prop.split("@", 1)[0] if isinstance(prop, str) else prop


def item_matches(dep: dict, sent: Any, *, output: bool = False) -> bool:
    """``sent`` (one entry of the body's inputs, state or outputs) is the dependency ``dep``."""
    declared, prop = declared_id(dep.get("id")), dep.get("property")

    def one(item: Any) -> bool:
        got = _bare(item.get("property")) if output and isinstance(item, dict) else (
            item.get("property") if isinstance(item, dict) else None)
        return isinstance(item, dict) and got == prop and id_matches(declared, item.get("id"))

    if gathers_many(declared):
        return isinstance(sent, list) and len(sent) <= MAX_PATTERN_ITEMS and all(one(x) for x in sent)
    return one(sent)


def _prop_id(item: dict) -> str | None:
    ident = item.get("id")
    if isinstance(ident, dict):
        ident = json.dumps(ident, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{ident}.{item.get('property')}" if isinstance(ident, str) else None


def _changed_matches(changed: str, allowed: set[str]) -> bool:
    if changed in allowed:
        return True
    ident, _, prop = changed.rpartition(".")
    if ident.startswith("{"):  # a pattern-matching id as the browser wrote it: compare decoded
        try:
            decoded = json.loads(ident)
        except ValueError:
            return False
        if isinstance(decoded, dict):
            return _prop_id({"id": decoded, "property": prop}) in allowed
    return False


def output_deps(entry: dict) -> list[dict]:
    """The declared outputs of a callback map entry, as ``{"id", "property"}`` dicts."""
    out = entry.get("output")
    outs = out if isinstance(out, (list, tuple)) else [out]
    deps = []
    for o in outs:
        if o is None:
            continue
        d = o.to_dict() if hasattr(o, "to_dict") else dict(o)
        deps.append({"id": d.get("id"), "property": str(d.get("property", "")).split("@", 1)[0]})
    return deps


def mismatch(body: dict, entry: dict) -> str | None:
    """Why ``body`` is not a call of the callback ``entry`` (None: it is, item by item)."""
    for group in ("inputs", "state"):
        declared = entry.get(group) or []
        sent = body.get(group, [])
        if not isinstance(sent, list) or len(sent) != len(declared):
            return f"{group}: {len(declared)} declared"
        for i, (dep, item) in enumerate(zip(declared, sent, strict=True)):
            if not item_matches(dep, item):
                return f"{group}[{i}] is not {dep.get('id')}.{dep.get('property')}"
    if not entry.get("no_output") and "outputs" in body:
        declared = output_deps(entry)
        sent = body["outputs"]
        multi = isinstance(entry.get("output"), (list, tuple))
        sent_list = sent if multi else [sent]
        if not isinstance(sent_list, list) or len(sent_list) != len(declared):
            return f"outputs: {len(declared)} declared"
        for i, (dep, item) in enumerate(zip(declared, sent_list, strict=True)):
            if not item_matches(dep, item, output=True):
                return f"outputs[{i}] is not {dep.get('id')}.{dep.get('property')}"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list):
        return "changedPropIds"
    allowed = set()
    for item in body.get("inputs", []):
        for one in item if isinstance(item, list) else [item]:
            prop_id = _prop_id(one)
            if prop_id:
                allowed.add(prop_id)
    for c in changed:
        if not isinstance(c, str) or not _changed_matches(c, allowed):
            return "changedPropIds names no input of the callback"
    return None


def value_of(body: dict, entry: dict, ident: str, prop: str) -> Any:
    """The value the callback receives for its input or state ``ident.prop`` (by position: call
    only after :func:`mismatch` found none)."""
    for group in ("inputs", "state"):
        for dep, item in zip(entry.get(group) or [], body.get(group, []), strict=False):
            if dep.get("id") == ident and dep.get("property") == prop and isinstance(item, dict):
                return item.get("value")
    return None
