"""The Flask/Dash plumbing: the view-callback response cache and its outage fallback
(:mod:`web.responses`), the JSON writer of Dash's responses (:mod:`web.wire`), the one reader of
the ``lang`` parameter (:mod:`web.lang`), and how answers travel: compressed, static files cached
by fingerprint (:mod:`web.delivery`).

Imports ``data_access`` and Flask/Dash only, never ``components`` or ``dashboards`` (they call it):
what it needs from them (the "data unavailable" notice) is handed to it by ``app.py``.
"""
