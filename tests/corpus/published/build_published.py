"""Writes the one binary file of the published-shapes corpus, ``dan_so_nguoi.xlsx``: a wide table with
periods as rows and provinces as columns, its unit in persons (the indicator's is thousands of
persons). Run from the repository root: ``python tests/corpus/published/build_published.py``; the
file is committed, the tests read it."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent


def main() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Biểu 03"
    ws.append(["Dân số trung bình của một số địa phương"])
    ws.append(["Đơn vị tính: Người"])
    ws.append([])
    ws.append(["Năm", "Hà Nội", "Thành phố Hồ Chí Minh", "Tỉnh Quảng Ninh"])
    ws.append([2020, 8246600, 9227600, 1337600])
    ws.append([2021, 8330800, 9166800, "x"])
    ws.append(["Sơ bộ 2022", 8435700, 9389700, 1350900])
    ws.append(["Ghi chú: x là số liệu không công bố."])
    wb.save(HERE / "dan_so_nguoi.xlsx")


if __name__ == "__main__":
    main()
