"""One persistent headless Chromium per worker process, through kaleido.

Starting Chromium costs ~1.5-3 s; a render in a running browser ~0.1-0.5 s. The first export of
a worker starts it (lazily); it then stays up for the life of the process. The browser lives in
an asyncio loop on a daemon thread of its own; request threads hand it coroutines and wait for
the result with a timeout, so any number of threads may render at once (kaleido queues them on
its tabs). A browser that has died (killed, crashed, out of memory) or stopped answering is
replaced by a new one and the render is retried once. A forked worker (gunicorn) never uses its
parent's browser: the process id is checked.

Besides figures (:meth:`Renderer.image`, several at once with :meth:`Renderer.images`), the same
browser prints an HTML document to PDF (:meth:`Renderer.pdf_from_html`): the briefing pack's PDF
is one such document, so its charts (SVG) and tables are laid out by Chromium — Vietnamese text
shaped by the system fonts, table headers repeated on every page.

kaleido loads plotly.js from the installed plotly package (no CDN); MathJax (a CDN script) is off.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import logging
import os
import shutil
import tempfile
import threading
import time
import weakref
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

RENDER_TIMEOUT_S = 60.0  # one figure or one HTML print
DEFAULT_TABS = 2  # parallel renders (a pack's charts); each tab holds a plotly.js page (~60 MB)
START_TIMEOUT_S = 45.0


class RenderError(RuntimeError):
    """The browser could not render (after one restart)."""


class Renderer:
    """A lazily started kaleido browser with ``tabs`` tabs (parallel renders)."""

    def __init__(self, tabs: int = 2, timeout: float = RENDER_TIMEOUT_S):
        self.tabs = tabs
        self.timeout = timeout
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None
        self._print_lock: asyncio.Lock | None = None
        self._tmp = Path(tempfile.mkdtemp(prefix="occ-export-"))  # documents printed to PDF
        weakref.finalize(self, shutil.rmtree, self._tmp, True)  # removed with the renderer or at exit
        self.starts = 0  # how many browsers this renderer started (tests, the benchmark)

    # -- life cycle ----------------------------------------------------------------------------------

    def _alive(self) -> bool:
        k = self._kaleido
        if k is None or self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
            return False
        proc = getattr(k, "subprocess", None)
        return proc is not None and proc.poll() is None

    def _ensure(self) -> None:
        if self._alive():
            return
        with self._lock:
            if self._alive():
                return
            self._shutdown(quiet=True)
            self._start()

    def _start(self) -> None:

        started = time.perf_counter()
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="occ-export-browser", daemon=True)
        thread.start()
        k = _kaleido_class()(n=self.tabs, timeout=self.timeout, mathjax=False)

        async def open_() -> asyncio.Lock:
            await k.open()
            return asyncio.Lock()

        try:
            self._print_lock = asyncio.run_coroutine_threadsafe(open_(), loop).result(START_TIMEOUT_S)
        except Exception as exc:
            loop.call_soon_threadsafe(loop.stop)
            raise RenderError(f"the export browser did not start: {exc}") from exc
        self._loop, self._thread, self._kaleido, self._pid = loop, thread, k, os.getpid()
        self.starts += 1
        log.info("export browser started in %.1f s (%d tabs)", time.perf_counter() - started, self.tabs)

    def _shutdown(self, quiet: bool = False) -> None:
        k, loop = self._kaleido, self._loop
        self._kaleido = self._loop = self._thread = None
        if k is None or loop is None or self._pid != os.getpid():
            return
        try:
            asyncio.run_coroutine_threadsafe(k.close(), loop).result(10)
        except Exception as exc:  # noqa: BLE001 - a dead browser may not close cleanly; it is gone either way
            if not quiet:
                log.warning("export browser did not close cleanly: %s", exc)
            proc = getattr(k, "subprocess", None)
            if proc is not None and proc.poll() is None:
                proc.kill()
        finally:
            loop.call_soon_threadsafe(loop.stop)

    def close(self) -> None:
        with self._lock:
            self._shutdown()

    @property
    def browser_pid(self) -> int | None:
        proc = getattr(self._kaleido, "subprocess", None)
        return proc.pid if proc is not None else None

    # -- calls ---------------------------------------------------------------------------------------

    def _call(self, make_coro, timeout: float) -> Any:
        """Run ``make_coro(kaleido)`` on the browser's loop; restart the browser and retry once if
        it died or hung."""
        last: Exception | None = None
        for attempt in (1, 2):
            self._ensure()
            future = asyncio.run_coroutine_threadsafe(make_coro(self._kaleido), self._loop)
            try:
                return future.result(timeout + 5)  # kaleido's own timeout fires first
            except FutureTimeout as exc:
                future.cancel()
                last = exc
                log.warning("export browser did not answer in %.0f s; restarting it", timeout)
            except Exception as exc:  # noqa: BLE001 - kaleido/choreographer errors: decide below
                if self._alive():
                    raise RenderError(str(exc)) from exc  # the figure is at fault, not the browser
                last = exc
                log.warning("export browser died (%s); restarting it", type(exc).__name__)
            with self._lock:
                self._shutdown(quiet=True)
            if attempt == 2:
                break
        raise RenderError(f"the export browser failed twice: {last!r}")

    def image(self, figure, fmt: str, *, width: int, height: int, scale: float = 1) -> bytes:
        """PNG, SVG or PDF bytes of a figure (a ``go.Figure`` or its dict)."""
        opts = {"format": fmt, "width": width, "height": height, "scale": scale}
        fig = figure.to_dict() if hasattr(figure, "to_dict") else figure
        return self._call(lambda k: k.calc_fig(fig, opts=opts), self.timeout)

    def images(self, jobs: list[tuple[Any, dict]]) -> list[bytes]:
        """Several figures at once (``[(figure, {"format", "width", "height", "scale"}), ...]``),
        spread over the browser's tabs; results in order."""
        figs = [(f.to_dict() if hasattr(f, "to_dict") else f, o) for f, o in jobs]

        async def run(k):
            return await asyncio.gather(*(k.calc_fig(f, opts=o) for f, o in figs))

        return list(self._call(run, self.timeout * max(1, len(figs) / max(1, self.tabs))))

    def pdf_from_html(self, html: str, *, footer_template: str | None = None) -> bytes:
        """Print an HTML document (self-contained: no network) to PDF with Chromium. Page size and
        margins come from the document's ``@page`` rule; ``footer_template`` is Chromium's
        (``<span class="pageNumber">`` etc.)."""
        path = self._tmp / f"doc-{threading.get_ident()}-{time.monotonic_ns()}.html"
        path.write_text(html, encoding="utf-8")
        params = {"printBackground": True, "preferCSSPageSize": True}
        if footer_template:
            params.update(displayHeaderFooter=True, headerTemplate="<span></span>", footerTemplate=footer_template)

        async def run(k):
            async with self._print_lock:
                tab = await k.create_tab("")
                try:
                    await tab.send_command("Page.enable")
                    loaded = tab.subscribe_once("Page.loadEventFired")
                    _check(await tab.send_command("Page.navigate", params={"url": path.as_uri()}))
                    await loaded
                    _check(await tab.send_command("Runtime.evaluate", params={
                        "expression": "document.fonts.ready.then(() => true)", "awaitPromise": True}))
                    result = _check(await tab.send_command("Page.printToPDF", params=params))
                    return base64.b64decode(result["result"]["data"])
                finally:
                    await k.close_tab(tab.target_id)

        try:
            return self._call(run, self.timeout)
        finally:
            path.unlink(missing_ok=True)


def _kaleido_class():
    """kaleido reloads a tab after every render (a clean page each time) *before* it hands back
    the image; on a busy 2-core machine that reload is a third of a small chart's latency. This
    subclass hands the image back first: the tab reloads in the background and rejoins the pool
    when it is clean, while the next render takes another tab (two tabs by default). It overrides
    one private method of kaleido 1.5 (pinned); the export tests exercise it on every render."""
    import kaleido

    class BackgroundReload(kaleido.Kaleido):
        _occ_reloads: set

        async def _return_kaleido_tab(self, tab) -> None:
            reloads = self.__dict__.setdefault("_occ_reloads", set())
            task = asyncio.get_running_loop().create_task(super()._return_kaleido_tab(tab))
            reloads.add(task)
            task.add_done_callback(reloads.discard)

        async def close(self) -> None:
            for task in list(self.__dict__.get("_occ_reloads", ())):
                task.cancel()
            await super().close()

    return BackgroundReload


def _check(response: dict) -> dict:
    if "error" in response:
        raise RenderError(f"devtools error: {response['error']}")
    return response


_renderer: Renderer | None = None
_renderer_lock = threading.Lock()


def _tabs_setting() -> int:
    """``Settings.extra["export_browser_tabs"]`` of the current app, else :data:`DEFAULT_TABS`."""
    from flask import current_app, has_app_context

    if has_app_context():
        settings = current_app.config.get("SETTINGS")
        if settings is not None:
            return int(settings.extra.get("export_browser_tabs", DEFAULT_TABS))
    return DEFAULT_TABS


def renderer() -> Renderer:
    """The process's renderer (created on first use; its browser starts on the first render)."""
    global _renderer
    if _renderer is None:
        with _renderer_lock:
            if _renderer is None:
                _renderer = Renderer(tabs=_tabs_setting())
                atexit.register(_renderer.close)
    return _renderer
