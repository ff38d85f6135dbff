"""Caching of data-access reads, keyed by what each entry read (``data_stamp``) and the viewer's clearance.

* :mod:`data_access.cache.backend` — the flask-caching backends behind a small circuit breaker,
  and how stamped entries are packed.
* :mod:`data_access.cache.tracking` — which scopes the entry being computed reads (the engine
  reports every statement here).
* :mod:`data_access.cache.scopes` — the warehouse ``data_version`` and stamps read once per
  request, last-known data while the warehouse is away, the ``scopes=`` declarations.
* :mod:`data_access.cache.memo` — ``cached_query`` and ``reference_data``.

Import from the submodules: this package re-exports nothing, so that the engine can import
:mod:`~data_access.cache.tracking` (a leaf) while :mod:`~data_access.cache.scopes` imports the engine.
Whole callback responses are cached by :mod:`web.responses`, which knows Dash; nothing here does.
"""
