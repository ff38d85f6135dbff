"""The admin pages of the configuration (indicator groups, indicators, reporting units, report
regimes, plan targets, and the metadata package), on the one service :mod:`metadata.service`:
plain Flask views (they work without JavaScript) on their own blueprint, under ``/admin``, which
the guard opens to admins only (``auth.policy.ROUTES``). Templates extend ``auth/base.html`` and
use the admin macros of ``auth/_admin.html``.

* :mod:`metadata_pages.forms` — what a page shows, from the fields of each kind (no request).
* :mod:`metadata_pages.views` — the list, create, edit, retire, replace and history of records.
* :mod:`metadata_pages.package` — the package page: export, and import with a dry run first.

Not in :mod:`auth` (which :mod:`metadata` imports for its audit entries) nor in :mod:`metadata`
(which :mod:`ingest` imports): a package of its own keeps the packages' imports free of cycles.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("metadata_pages", __name__, template_folder="templates")

from metadata_pages import package, views  # noqa: E402,F401 - the routes, on bp

__all__ = ["bp", "init_metadata_pages"]


def init_metadata_pages(server: Flask) -> None:
    """Mount the pages (the guard, registered by :func:`auth.init_auth`, covers them)."""
    server.register_blueprint(bp)
