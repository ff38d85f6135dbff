"""gunicorn settings for production: ``gunicorn 'app:create_app()'`` (this file is read from the
working directory). Every value can be overridden with the usual GUNICORN_CMD_ARGS or flags.

The workers are stateless: the warehouse is PostgreSQL (DATABASE_URL), the cache Redis
(CACHE_REDIS_URL), so any number of workers on any number of hosts serve the same answers.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8050")
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))  # requests wait on the database, not the CPU
timeout = 60
graceful_timeout = 30
keepalive = 5
max_requests = 20000  # recycle workers now and then: memory stays flat over weeks
max_requests_jitter = 2000
accesslog = os.environ.get("ACCESS_LOG", "-")
loglevel = os.environ.get("LOG_LEVEL", "info")
logger_class = "auth.redact.RedactingLogger"  # tokens never reach a log line


def on_starting(server):
    """Migrate the warehouse once, in the master, before any worker starts (no demo data here:
    production loads real submissions; set SEED_DEMO=1 to seed an empty demo warehouse)."""
    from ingest.bootstrap import bootstrap
    from settings import Settings

    settings = Settings.from_env()
    if os.environ.get("SEED_DEMO") != "1":
        settings = settings.with_(seed_demo=False)
    bootstrap(settings, echo=server.log.info)


def post_worker_init(worker):
    """Keep the garbage collector off the request path (:func:`runtime.settle_gc`)."""
    from runtime import settle_gc

    settle_gc()
