"""Create the app: a Flask server carrying the Dash boards, the HTTP API and the CLI.

``python app.py`` runs the embedded default (SQLite under ``instance/``, demo data seeded on
first start); ``gunicorn 'app:create_app()'`` serves production; ``flask --app app --help``
lists the commands.
"""

from __future__ import annotations

import logging
import sys

import dash
from flask import Flask

from alerts.pages import init_alert_pages
from api import api_v1
from auth import init_auth
from auth.displays import wall_cookie_valid
from auth.security import csrf_in_body
from components import shell
from components.stale_banner import unavailable_notice
from data_access.cache.backend import cache_manager
from data_access.engine import Warehouse
from first_run import init_first_run
from ingest.cli import register_commands
from ingest.jobs import init_intake_jobs
from mail import init_mail
from metadata_pages import init_metadata_pages
from scheduler import init_scheduler, start_in_process
from settings import ConfigError, Settings
from subscriptions import init_subscriptions
from views.direction_files import init_direction_files
from web import wire
from web.delivery import asset_url, init_delivery, lean_scripts
from web.lang import with_document_lang
from web.responses import cache_view_callbacks

log = logging.getLogger("app")

# Dash's page shell, with the wall's dark background set before anything renders (no white flash
# when a wall reloads) and the document language of the request set for screen readers (web.lang).
INDEX_STRING = """<!DOCTYPE html>
<html lang="{%lang%}">
    <head>
        <script>if (location.pathname.indexOf("/wall") === 0) {
            document.documentElement.className = "wall-mode";
            document.documentElement.style.background = "#0a1019"; }</script>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        {%config%}
        {%scripts%}
        {%renderer%}
    </body>
</html>"""


# The charts' plotly.js: the basic bundle (scatter, bar, pie: all the boards draw), loaded by Dash's
# graph component the first time a page draws a chart (assets/plotly_bundle.js names it).
PLOTLY_BUNDLE = "vendor/plotly-basic-4.1.1.min.js"


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask server with the Dash app mounted at ``/``. The Dash object is
    ``server.extensions["dash"]``."""
    settings = settings or Settings.from_env()
    server = Flask(__name__, instance_path=str(settings.instance_dir))
    server.config.update(
        SECRET_KEY=settings.secret_key,
        SETTINGS=settings,
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
    )
    init_delivery(server, secret_in_body=csrf_in_body)  # first: its hook sees every other hook's answer
    Warehouse(settings).init_app(server)
    cache_manager.init_app(server, settings)
    server.register_blueprint(api_v1)
    server.register_blueprint(__import__("exports.routes").routes.bp)  # /export/…: chart files, briefing packs
    register_commands(server)
    init_scheduler(server)  # flask --app app scheduler: a scheduler process (any number of them)
    init_mail(server)  # mail.send, retried with back-off by the scheduler
    init_intake_jobs(server)  # rollups.daily: the daily indicators' kept tiles, computed again each day

    app = dash.Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder="dashboards",
        title="Trung tâm Thông tin, Chỉ đạo điều hành",
        update_title=None,
        suppress_callback_exceptions=True,  # pages have URL-dependent layouts; browser tests catch errors
        assets_path_ignore=["vendor"],  # loaded on demand, not on every page (assets/plotly_bundle.js)
        meta_tags=[{"name": "occ-plotly", "content": asset_url(PLOTLY_BUNDLE)}],
    )
    wire.install()  # responses written by orjson in one pass (same bytes as Plotly's writer)
    app.layout = shell.layout
    app.index_string = INDEX_STRING
    app.interpolate_index = with_document_lang(lean_scripts(app.interpolate_index, plotly=asset_url(PLOTLY_BUNDLE)))
    # the notice shown while the warehouse is away; a wall's token check (its callbacks' key)
    cache_view_callbacks(server, unavailable=unavailable_notice, wall_valid=wall_cookie_valid)
    server.extensions["dash"] = app
    init_auth(server)  # sign-in, roles and the request guard on every route; security headers; audit log
    init_first_run(server)  # /admin/first-run: the checklist of an empty centre (admins only)
    init_metadata_pages(server)  # /admin/metadata: the configuration's admin pages (admins only)
    init_alert_pages(server)  # /alerts: the notification centre, the rules' and webhooks' pages
    init_subscriptions(server)  # /subscriptions and the unsubscribe link; the delivery job
    init_direction_files(server)  # /direction-files/…: a direction's attachments for those who may see it
    return server


def main() -> int:
    """First run: create, migrate and seed the embedded warehouse when needed, then serve."""
    from auth.production import check_production
    from ingest.bootstrap import bootstrap

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    from auth.redact import install

    install()  # tokens never reach a log line (the development server logs every request's address)
    try:
        settings = Settings.from_env()
        check_production(settings)  # before anything is migrated or seeded
        bootstrap(settings, echo=print)
        server = create_app(settings)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if settings.scheduler_in_process:
        start_in_process(server)  # scheduled jobs and mail retries in this process
    print(f"Serving on http://{settings.host}:{settings.port}/ (Ctrl+C to stop)")
    server.extensions["dash"].run(host=settings.host, port=settings.port, debug=settings.debug)
    return 0


if __name__ == "__main__":
    sys.exit(main())
