"""The floor of a board's first load: the least a Dash page costs in this browser on this machine.

    python -m bench.dash_floor --port 8060    # serves / (a heading) and /chart (one line chart)

The same Dash, component suites and delivery as the product (compression, fingerprinted files
cached for a year, regenerator-runtime in the polyfill's place, the charts' basic plotly.js), but
no stylesheet, no script of the product's own, no sign-in and no data: a layout of one page
container that one callback fills from the URL, as the product's page router does. ``/`` puts a
heading and a sentence there; ``/chart`` a heading and one line chart of 40 points drawn with the
product's chart layout. ``bench/browser_bench.py`` measures both beside the boards: no board can
settle sooner than this page does.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PATHS = ("/", "/chart")


def create_app():
    import dash
    import dash_ag_grid  # noqa: F401 - its suite is on every page of the product
    from dash import Input, Output, dcc, html
    from flask import Flask

    from app import PLOTLY_BUNDLE
    from components.charts import lines_figure
    from web.delivery import ASSETS, asset_url, init_delivery, lean_scripts

    server = Flask("dash_floor")
    init_delivery(server, secret_in_body=lambda: False)
    app = dash.Dash(
        "dash_floor", server=server, assets_folder=str(ASSETS), assets_path_ignore=["vendor", "geo"],
        assets_ignore=r"^(?!(plotly_bundle|lazy_grid)\.js$).*",  # linked: the plotly.js address, the grid loader
        update_title=None, suppress_callback_exceptions=True,
        meta_tags=[{"name": "occ-plotly", "content": asset_url(PLOTLY_BUNDLE)}],
    )
    app.interpolate_index = lean_scripts(app.interpolate_index)
    app.layout = html.Div([dcc.Location(id="floor-url"), html.Div(id="_pages_content")])
    days = [date(2023, 1, 1).replace(month=1 + i % 12, year=2023 + i // 12) for i in range(40)]
    figure = lines_figure([("VN", [(d.strftime("%Y%m"), d, 3 + (i % 7) / 3) for i, d in enumerate(days)])],
                          names={"VN": "Cả nước"}, unit="%", decimals=1, height=360)

    @app.callback(Output("_pages_content", "children"), Input("floor-url", "pathname"))
    def page(pathname: str | None) -> list:
        if pathname == "/chart":
            return [html.H1("Một biểu đồ"), dcc.Graph(figure=figure, config={"displayModeBar": False})]
        return [html.H1("Trang trống"), html.P("Một tiêu đề và một câu, điền bởi một callback.")]

    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    from werkzeug.serving import make_server

    make_server("127.0.0.1", args.port, create_app(), threaded=True).serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
