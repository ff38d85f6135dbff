"""Metadata as data: the one service behind every way of managing the configuration (indicator
groups, reporting units, indicators, report regimes, plan targets) — the admin pages, the HTTP API
(``/api/v1/metadata``), the command line (``flask --app app metadata``) and the demo seed.

* :mod:`metadata.service` — create, update, retire, replace one record; :func:`~metadata.service.apply`
  a whole package (validate all, then apply all in one transaction or nothing; ``dry_run`` returns
  the diff). Each change is one transaction with its audit entry and history, and bumps the cache
  stamps of what it changed.
* :mod:`metadata.store` — the configuration in the warehouse as canonical records; history.
* :mod:`metadata.package` — the package as a document: canonical JSON (byte-stable) and XLSX
  (one sheet per kind, written by :mod:`exports.sheets`). Reading uploaded files within the
  intake's limits is :mod:`ingest.metadata_files`.

The rules themselves (what a valid configuration is) are pure: :mod:`domain.metadata`.
"""
