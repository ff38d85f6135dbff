"""The SDMX-ML data messages, read into the long rows of :mod:`ingest.published`, streamed element by
element within the file's read budget:

* **2.1 GenericData**: ``Series`` / ``SeriesKey`` / ``Value id= value=``, ``Obs`` with
  ``ObsDimension value=``, ``ObsValue value=`` and ``Attributes`` (``OBS_STATUS``);
* **2.0 GenericData** (the older message): the same with ``Value concept= value=`` and the period
  as the text of ``Time``;
* **2.0 CompactData** and **2.1 StructureSpecificData** (and 3.0's): every key and attribute an
  XML attribute: ``Series REF_AREA= INDICATOR=``, ``Obs TIME_PERIOD= OBS_VALUE= OBS_STATUS=``
  (``TIME`` for the period where a 2.0 structure named it so); attributes of the ``DataSet``
  element in upper case are keys of every series (an indicator given once).

``OBS_VALUE="NaN"``, SDMX's mark of a missing observation, is "not reported" (a ``NaN`` in any
other format is refused: ``non_finite_number``); ``OBS_STATUS`` ``A`` is official, ``P``
provisional, ``E`` estimated.

Any other message (2.0 ``CrossSectionalData`` and ``UtilityData``, structure or metadata
messages) is refused naming its kind and version (``sdmx_message_unsupported``). A document with
a DTD (``<!DOCTYPE``, ``<!ENTITY``) is refused before parsing (no entity expansion).
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from typing import Any

from ingest.bounds import ReadBudget
from ingest.published import ImportMapping, PublishedError, Rows, guarded

GENERIC, KEYED = "GenericData", ("CompactData", "StructureSpecificData", "StructureSpecificTimeSeriesData")
_VERSION = re.compile(r"/v(\d)_(\d)/", re.I)
STATUS = {"A": "O", "P": "P", "E": "E"}  # SDMX observation status: normal, provisional, estimated


def _split(tag: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag."""
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def version_of(namespace: str) -> str:
    """"2.0", "2.1", "3.0" from an SDMX namespace ("…/schemas/v2_0/message"); "" when none."""
    m = _VERSION.search(namespace + "/")
    return f"{m.group(1)}.{m.group(2)}" if m else ""


class _Message:
    """The observation being read and its series' key."""

    def __init__(self, out: Rows, fallback: str):
        self.out, self.fallback = out, fallback
        self.dataset: dict[str, str] = {}
        self.key: dict[str, str] = {}
        self.obs: dict[str, str] | None = None
        self.n = 0

    def emit(self, dims: dict[str, str]) -> None:
        self.n += 1
        dims = {**self.dataset, **self.key, **dims}
        indicator = dims.get("INDICATOR") or self.fallback
        if not indicator:
            raise PublishedError("indicator_required", format="SDMX-ML")
        raw = dims.get("OBS_STATUS", "A")
        period = dims.get("TIME_PERIOD") or dims.get("TIME", "")
        value = dims.get("OBS_VALUE", "")
        if value.strip() == "NaN":  # SDMX's missing value: not reported
            value = ""
        self.out.add(self.n, dims.get("REF_AREA", ""), period, value, STATUS.get(raw.upper(), raw), indicator)


@guarded("SDMX-ML")
def read_sdmx_ml(payload: bytes, mapping: ImportMapping | None, budget: ReadBudget) -> tuple[Rows, str | None]:
    """An SDMX-ML data message (see the module docstring) as long rows."""
    if b"<!DOCTYPE" in payload[:65536] or b"<!ENTITY" in payload:
        raise PublishedError("xml_dtd_refused")
    fallback = mapping.indicator.strip().upper() if mapping and mapping.indicator else ""
    msg = _Message(Rows(budget, fallback), fallback)
    kind = ""
    try:
        for event, el in ET.iterparse(io.BytesIO(payload), events=("start", "end")):
            ns, tag = _split(el.tag)
            if not kind:  # the root: which message
                kind = tag
                if tag != GENERIC and tag not in KEYED:
                    version = version_of(ns)
                    raise PublishedError("sdmx_message_unsupported", message=tag,
                                         version=f"SDMX-ML {version}" if version else "XML")
                continue
            if kind == GENERIC:
                _generic(msg, event, tag, el)
            else:
                _keyed(msg, event, tag, el)
    except ET.ParseError as exc:
        raise PublishedError("unreadable_file", format="SDMX-ML", detail=str(exc)) from None
    if not kind:
        raise PublishedError("table_shape_unknown", format="SDMX-ML")
    return msg.out, None


def _generic(msg: _Message, event: str, tag: str, el: Any) -> None:
    """GenericData 2.0 and 2.1: keys and attributes as ``Value`` elements."""
    if event == "start":
        if tag == "Series":
            msg.key = {}
        elif tag == "Obs":
            msg.obs = {}
        return
    if tag == "Value":
        concept = (el.get("id") or el.get("concept") or "").upper()  # 2.1: id=, 2.0: concept=
        if concept:
            (msg.obs if msg.obs is not None else msg.key)[concept] = el.get("value", "")
    elif tag == "ObsDimension" and msg.obs is not None:  # 2.1
        msg.obs["TIME_PERIOD"] = el.get("value", "")
    elif tag == "Time" and msg.obs is not None:  # 2.0: the period as text
        msg.obs["TIME_PERIOD"] = (el.text or "").strip()
    elif tag == "ObsValue" and msg.obs is not None:
        msg.obs["OBS_VALUE"] = el.get("value", "")
    elif tag == "Obs" and msg.obs is not None:
        msg.emit(msg.obs)
        msg.obs = None
        el.clear()
    elif tag == "Series":
        el.clear()


def _keyed(msg: _Message, event: str, tag: str, el: Any) -> None:
    """CompactData 2.0, StructureSpecificData 2.1/3.0: keys and attributes as XML attributes."""
    if event == "start":
        if tag == "DataSet":
            msg.dataset = {k.upper(): v for k, v in el.attrib.items() if "}" not in k and k.isupper()}
        elif tag == "Series":
            msg.key = {k.upper(): v for k, v in el.attrib.items() if "}" not in k}
        return
    if tag == "Obs":
        msg.emit({k.upper(): v for k, v in el.attrib.items() if "}" not in k})
        el.clear()
    elif tag == "Series":
        msg.key = {}
        el.clear()
