"""The HTTP benchmark's two concurrent modes (bench/http_replay.py): random callbacks, and whole
boards (a board's requests in the order its opening made them), against a small local server."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.http_replay import _boards, _concurrent


def _captured() -> list[dict]:
    def call(board: str, output: str) -> dict:
        return {"board": board, "output": output, "path": "/_dash-update-component",
                "body": f'{{"board": "{board}", "output": "{output}"}}'}

    return [call("/", "shell"), call("/", "content"), call("/a", "shell"), call("/", "content"),
            call("/a", "content"), call("/a", "table")]


def test_hrp001_boards_keep_the_opening_order_once_per_callback():
    boards = _boards(_captured())
    assert [[c["output"] for c in b] for b in boards] == [["shell", "content"], ["shell", "content", "table"]]
    assert {b[0]["board"] for b in boards} == {"/", "/a"}


def test_hrp002_board_loads_post_every_request_of_a_board():
    seen: list[str] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802 - the standard library's name
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            with lock:
                seen.append(body)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        captured = _captured()
        boards = _boards(captured)
        bumps: list[int] = []
        result = _concurrent(server.server_address[1], ("c", "v"), captured, 2, 3, lambda: bumps.append(1),
                             lambda _m: None, boards=boards)
    finally:
        server.shutdown()
    assert result["errors"] == 0 and result["requests"] == len(seen) > 0
    assert result["boards"] == 2 and result["boards_loaded"] > 0
    assert result["boards_per_s"] > 0 and result["board_p50_ms"] > 0
    # every load posts a whole board: 2 or 3 requests; a load cut by the end is not counted
    assert 2 * result["boards_loaded"] <= result["requests"] <= 3 * result["boards_loaded"] + 3 * 3
    one_call = _concurrent(server.server_address[1], ("c", "v"), captured, 1, 2, lambda: None, lambda _m: None)
    assert "boards_per_s" not in one_call and one_call["requests"] > 0
