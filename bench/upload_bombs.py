"""Upload bombs against the served product: gunicorn (gunicorn.conf.py, one worker) on a throwaway
SQLite warehouse on 127.0.0.1, and through the HTTP API with a unit token:

* ``sparse_xlsx``: a workbook of a few KB with a header and one cell at row 10,000,000;
* ``zip_bomb_xlsx``: a sheet of 256 MB of spaces packed into a few hundred KB;
* ``dimension_xlsx``: a sheet that declares A1:D3000000 (two real rows);
* ``csv_60mb_line``: a CSV that is one 60 MB line (beyond the byte limit: refused unread);
* ``csv_45mb_line``: a CSV whose second line is 45 MB (under the byte limit: the line limit).

For each: the answer (status and error code), the time to refusal, and the worker's RSS growth
(``/proc/PID/status`` VmRSS sampled every 5 ms during the request, against the RSS before), against
the goals (< 100 MB, < 2 s). Bounded: one request per case, each with a 60 s timeout.

    python -m bench.upload_bombs --json bench/results/upload-bombs.json
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import platform
import sys
import tempfile
import threading
import time
import zipfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import Gunicorn  # noqa: E402

GOAL_RSS_MB = 100.0
GOAL_SECONDS = 2.0
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "xl/worksheets/sheet1.xml"
HEAD = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main">{dim}<sheetData><row r="1">' + "".join(
            f'<c r="{c}1" t="inlineStr"><is><t>{n}</t></is></c>'
            for c, n in zip("ABCD", ("indicator_code", "area_code", "period", "value"), strict=True)) + "</row>")


def workbook(chunks) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["x"])
    base = io.BytesIO()
    wb.save(base)
    src = zipfile.ZipFile(io.BytesIO(base.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != SHEET:
                dst.writestr(info.filename, src.read(info.filename))
        with dst.open(SHEET, "w", force_zip64=True) as f:
            for part in chunks:
                f.write(part)
    return out.getvalue()


def cases() -> list[tuple[str, bytes, str, str]]:
    """(name, body, content type, file name)."""
    sparse = workbook([HEAD.format(dim="").encode(),
                       b'<row r="10000000"><c r="A10000000" t="inlineStr"><is><t>CPI_YOY</t></is></c></row>',
                       b"</sheetData></worksheet>"])
    bomb = workbook([HEAD.format(dim="").encode()] + [b" " * (1 << 20)] * 256 + [b"</sheetData></worksheet>"])
    dim = workbook([HEAD.format(dim='<dimension ref="A1:D3000000"/>').encode(),
                    b'<row r="2"><c r="A2" t="inlineStr"><is><t>CPI_YOY</t></is></c></row>',
                    b"</sheetData></worksheet>"])
    line60 = b"a," * (30 * 1024 * 1024)
    line45 = b"indicator_code,area_code,period,value,note\nCPI_YOY,VN,202510,3.1," + b"x" * (45 * 1024 * 1024) + b"\n"
    return [("sparse_xlsx", sparse, XLSX, "sparse.xlsx"), ("zip_bomb_xlsx", bomb, XLSX, "bomb.xlsx"),
            ("dimension_xlsx", dim, XLSX, "dimension.xlsx"), ("csv_60mb_line", line60, "text/csv", "line.csv"),
            ("csv_45mb_line", line45, "text/csv", "line.csv")]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Sampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, rss_kb(self.pid))
            time.sleep(0.005)


def post(port: int, token: str, body: bytes, content_type: str, filename: str) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        try:
            conn.request("POST", f"/api/v1/submissions?filename={filename}", body=body,
                         headers={"Authorization": f"Bearer {token}", "Content-Type": content_type})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered (413) and closed before the whole body was sent: read its answer
        res = conn.getresponse()
        raw = res.read()
    finally:
        conn.close()
    try:
        return res.status, json.loads(raw)
    except ValueError:
        return res.status, {"raw": raw[:200].decode("utf-8", "replace")}


def error_code(body: dict) -> str | None:
    """The first intake error of a report (422), or the API error's code (413)."""
    if body.get("errors"):
        return body["errors"][0].get("code")
    error = body.get("error")
    return error.get("code") if isinstance(error, dict) else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--json", type=Path, help="write the results here (e.g. bench/results/upload-bombs.json)")
    args = parser.parse_args(argv)
    from sqlalchemy import create_engine

    from auth.tokens import create_token
    from data_access import schema

    with tempfile.TemporaryDirectory(prefix="upload-bombs-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'warehouse.sqlite'}"
        os.environ.pop("CACHE_REDIS_URL", None)
        server = Gunicorn(url, "", 1, folder, [])
        try:
            engine = create_engine(url)
            with engine.begin() as conn:  # one reporting unit (the warehouse starts without demo data)
                conn.execute(schema.agency.insert().values(code="BOMB", name_vi="Đơn vị thử", name_en="Test unit",
                                                           short_vi="Thử", short_en="Test", kind="statistics"))
            unit = "BOMB"
            token, _ = create_token(engine, unit, days=1, label="upload bombs")
            engine.dispose()
            pid = server.worker_pids()[0]
            warm = workbook([HEAD.format(dim="").encode(), b"</sheetData></worksheet>"])
            post(server.port, token, warm, XLSX, "warm.xlsx")  # imports and first-request work done
            post(server.port, token, b"indicator_code,area_code,period,value\n", "text/csv", "warm.csv")
            results = []
            for name, body, ctype, filename in cases():
                time.sleep(0.5)
                before = rss_kb(pid)
                sampler = Sampler(pid)
                sampler.peak = before
                sampler.start()
                started = time.perf_counter()
                status, answer = post(server.port, token, body, ctype, filename)
                elapsed = time.perf_counter() - started
                sampler.done.set()
                sampler.join()
                growth_mb = (sampler.peak - before) / 1024
                row = {"case": name, "upload_bytes": len(body), "status": status, "code": error_code(answer),
                       "seconds": round(elapsed, 3), "rss_before_mb": round(before / 1024, 1),
                       "rss_growth_mb": round(growth_mb, 1),
                       "verdict": "PASS" if status in (413, 422) and growth_mb < GOAL_RSS_MB and elapsed < GOAL_SECONDS
                       else "FAIL"}
                results.append(row)
                print(f"{name:<16} {status} {row['code'] or '-':<26} {elapsed:6.2f} s  RSS +{growth_mb:6.1f} MB  "
                      f"{row['verdict']}")
        finally:
            server.stop()
    report = {"run_at": datetime.now().isoformat(timespec="seconds"), "server": "127.0.0.1",
              "python": platform.python_version(), "stack": "gunicorn 1 worker (gthread), SQLite warehouse",
              "goals": {"rss_growth_mb": GOAL_RSS_MB, "seconds": GOAL_SECONDS}, "cases": results,
              "verdict": "PASS" if all(r["verdict"] == "PASS" for r in results) else "FAIL"}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(report["verdict"])
    return 0 if report["verdict"] == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
