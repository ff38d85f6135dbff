"""How callback responses and layouts are written as JSON.

Dash writes every response with Plotly's ``to_json_plotly``. Its orjson path first tries to dump
the value as it is; if anything in it is not a plain JSON type (one Dash component, a
``go.Figure``, a date, a Decimal) orjson refuses and Plotly rebuilds the *whole* tree in Python
(``clean_to_json_compatible``), visiting every dict, list and string: 6-11 ms for a sector board of
80 small multiples, a fifth of its answer.

:func:`to_json` gives the same bytes with one pass in orjson's C code: orjson calls
:func:`_default` only for the objects it cannot write itself, and ``_default`` converts each of
them exactly as Plotly's cleaner does (components and figures by ``to_plotly_json``, pandas and
numpy values, Decimal), handing the result back to orjson. Plain JSON types are written by orjson
as the cleaner would leave them. Tests compare both writers byte for byte on every board's real
responses and on the odd values (NaN, NaT, datetime64, Decimal, object arrays).

:func:`install` points Dash at it (Dash looks ``plotly.io.json.to_json_plotly`` up at every call).
It is an adapter over Plotly's private writer (``plotly.io._json``) and Dash's call into it, so it
installs only on the Dash and Plotly versions its byte-for-byte tests were run against
(:data:`VERIFIED`); on any other it refuses with :class:`UnverifiedVersions` until the tests
(``tests/test_wire.py``, ``tests/browser/test_wire.py``) are run again and :data:`VERIFIED` updated.
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any

import dash
import numpy as np
import orjson
import pandas as pd
import plotly
import plotly.io.json as plotly_json
from dash.development.base_component import Component
from plotly.io._json import _safe, _swap_orjson
from plotly.io._json import to_json_plotly as _PLOTLY_TO_JSON  # the original (install() replaces the public name)

#: The versions whose writer this module reproduces byte for byte (the tests say so).
VERIFIED = {"dash": "4.4.1", "plotly": "7.1.0"}
_INSTALLED = {"dash": dash.__version__, "plotly": plotly.__version__}

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


#: Per component class: whether :func:`_component_json` may read it (see there).
_PLAIN_COMPONENT: dict[type, bool] = {}


def _component_json(obj: Component) -> dict:
    """``obj.to_plotly_json()``, reading the props from the instance's attributes: Dash's own
    asks ``hasattr`` of each of the forty-odd props a class declares (an exception for every
    prop not given), a third of a page's writing. Only for classes that keep Dash's method and
    declare no prop as a class attribute (``hasattr`` would find it there); the others ask it."""
    cls = type(obj)
    plain = _PLAIN_COMPONENT.get(cls)
    if plain is None:
        plain = _PLAIN_COMPONENT[cls] = (cls.to_plotly_json is Component.to_plotly_json
                                         and not any(hasattr(cls, p) for p in obj._prop_names))
    if not plain:
        return obj.to_plotly_json()
    given = obj.__dict__
    props = {p: given[p] for p in obj._prop_names if p in given}
    wild = obj._valid_wildcard_attributes
    if wild:
        props.update({k: v for k, v in given.items() if any(k.startswith(w) for w in wild)})
    return {"props": props, "type": obj._type, "namespace": obj._namespace}


def _default(obj: Any) -> Any:
    """One object orjson cannot write, converted as ``clean_to_json_compatible`` converts it."""
    if isinstance(obj, Component):  # most of them: a page's components
        return _component_json(obj)
    if obj is np.ma.masked:
        return float("nan")
    if isinstance(obj, np.ndarray):
        kind = obj.dtype.kind
        if kind in "biuf":
            return np.ascontiguousarray(obj)  # orjson refuses only non-contiguous arrays
        if kind == "M":
            return np.datetime_as_string(obj).tolist()
        return obj.tolist()
    if isinstance(obj, np.datetime64):
        return str(obj)
    if obj is pd.NaT or obj is pd.NA:
        return None
    if isinstance(obj, (pd.Series, pd.DatetimeIndex)):
        if obj.dtype.kind in "biuf":
            return np.ascontiguousarray(obj.values)
        if obj.dtype.kind == "M":
            return obj.to_pydatetime().tolist() if isinstance(obj, pd.DatetimeIndex) else list(obj.dt.to_pydatetime())
    if isinstance(obj, datetime.datetime):  # pd.Timestamp: time zone and nanoseconds dropped
        return obj.to_pydatetime() if isinstance(obj, pd.Timestamp) else obj
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if isinstance(obj, decimal.Decimal):
        return float(obj)
    if hasattr(obj, "to_plotly_json"):
        return obj.to_plotly_json()
    raise TypeError(f"Type is not JSON serializable: {type(obj).__name__}")


def to_json(value: Any, pretty: bool = False, engine: str | None = None) -> str:
    """``plotly.io.json.to_json_plotly`` with orjson doing the walk (same output)."""
    if pretty or engine == "json":
        return _PLOTLY_TO_JSON(value, pretty=pretty, engine=engine)
    if hasattr(value, "to_plotly_json"):
        value = value.to_plotly_json()
    return _safe(orjson.dumps(value, default=_default, option=_OPTIONS).decode("utf8"), _swap_orjson)


class UnverifiedVersions(RuntimeError):
    """The installed Dash or Plotly is not the version :func:`to_json` was verified against."""


def check_versions(installed: dict[str, str] | None = None) -> None:
    """Raise :class:`UnverifiedVersions` unless ``installed`` (default: what is installed) matches
    :data:`VERIFIED`."""
    installed = _INSTALLED if installed is None else installed
    differ = {name: (installed.get(name), version) for name, version in VERIFIED.items()
              if installed.get(name) != version}
    if differ:
        found = ", ".join(f"{name} {have} (verified: {want})" for name, (have, want) in sorted(differ.items()))
        raise UnverifiedVersions(
            f"web.wire was verified against other versions than those installed: {found}. Run "
            "tests/test_wire.py and tests/browser/test_wire.py on the new versions, then update web.wire.VERIFIED")


def install() -> None:
    """Make Dash write its responses and layouts with :func:`to_json` (after :func:`check_versions`)."""
    check_versions()
    plotly_json.to_json_plotly = to_json
