"""Briefing exports: a chart is exported from a *spec*, not from the browser's figure.

A spec is a small JSON-able dict (``{"kind": "trend", "indicator": "EXPORTS", "areas": ["VN"],
"start": "201501", "end": "202611"}``) that the export menu carries in its links, the briefing
basket stores in the browser and the tests enumerate. On the server:

* :mod:`exports.specs` — the registry of chart kinds; ``build(spec, lang)`` reads the data through
  ``data_access`` and draws it with the ``components`` figure builders → :class:`ExportChart`
  (figure, the DataFrame behind it, and its metadata: title, unit, period, area, source, "as of",
  notes).
* :mod:`exports.figures` — the export look: title, subtitle, source line and notes drawn into the
  figure at 1920x1080; the tile grid of the KPI and daily sets.
* :mod:`exports.render` — one persistent headless Chromium (kaleido) per worker process.
* :mod:`exports.files` — CSV (UTF-8 with BOM), XLSX (data + metadata sheets), file names.
* :mod:`exports.packs` — the briefing pack as PPTX (python-pptx) and PDF (one HTML document printed
  by the same Chromium: a chart per page, data tables whose header repeats on every page).
* :mod:`exports.routes` — the ``/export/...`` blueprint; :mod:`exports.audit` — the audit hook.
"""
