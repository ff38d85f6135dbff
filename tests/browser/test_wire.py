"""Browser: the response writer (web/wire.py) gives Plotly's bytes for every callback the
boards really make."""

import json

import plotly.io.json as plotly_json
import pytest

from tests.conftest import make_settings, seeded_url_for
from web import wire

pytestmark = pytest.mark.browser

BOARDS = ["/", "/?lang=en", "/sectors", "/sectors?agency=TK", "/sectors?group=G03", "/indicator/GDP_GROWTH",
          "/indicator/RETAIL_SALES?areas=VN,R1,R2", "/indicator/CPI_YOY?areas=VN,01,79", "/provinces",
          "/provinces?indicator=RETAIL_SALES&period=202406", "/provinces/01", "/provinces/79", "/daily",
          "/compliance", "/indicators"]


@pytest.mark.filterwarnings("ignore:Flask-Caching. CACHE_TYPE is set to NullCache")  # on purpose: every answer rendered
def test_wire001_every_board_response_is_written_as_plotly_writes_it(live_server, probe, databases, tmp_path):
    bodies = []
    for board in BOARDS:
        probe.callback_requests.clear()
        probe.goto(live_server(board))
        assert probe.callback_requests, board
        bodies += [(board, body) for body in probe.callback_requests if body]
    probe.assert_clean()

    from app import create_app

    server = create_app(make_settings(seeded_url_for("sqlite", databases), tmp_path, cache_type="NullCache"))
    client = server.test_client()
    assert plotly_json.to_json_plotly is wire.to_json  # what Dash calls for every response
    checked = 0
    try:
        for board, body in bodies:
            out = {}
            for name, writer in (("plotly", wire._PLOTLY_TO_JSON), ("wire", wire.to_json)):
                plotly_json.to_json_plotly = writer
                res = client.post("/_dash-update-component", data=body, content_type="application/json")
                out[name] = (res.status_code, res.data)
            assert out["wire"] == out["plotly"], (board, json.loads(body)["output"])
            checked += out["wire"][0] == 200
    finally:
        plotly_json.to_json_plotly = wire.to_json
        server.extensions["warehouse"].dispose()
    # the boards' callbacks answered with content, not only 204s: at least the page's and the shell's
    # (the boards come with their first view in the page's answer)
    assert checked >= 2 * len(BOARDS)
