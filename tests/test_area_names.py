"""Issue 18: area names instead of codes. Names are matched with and without diacritics, with the
usual prefixes and historic names in their validity; a unique match is accepted with a recorded
mapping and a warning, anything else refused with the closest names ("did you mean 01 Hà Nội?")."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from data_access.area_names import names_of
from domain.area_refs import index_names, match_name, name_key
from tests.conftest import BACKENDS, counts, csv_bytes, current_value, module_warehouse, send

AREAS = (  # key, code, name_vi, name_en, valid_from, valid_to: a few areas of both eras
    ("VN", "VN", "Cả nước", "Viet Nam", None, None),
    ("01", "01", "Hà Nội", "Ha Noi", None, None),
    ("46", "46", "Huế", "Hue", None, None),
    ("79", "79", "Hồ Chí Minh", "Ho Chi Minh City", date(2025, 7, 1), None),
    ("79-63", "79", "Hồ Chí Minh", "Ho Chi Minh City", None, date(2025, 6, 30)),
    ("24", "24", "Bắc Ninh", "Bac Ninh", date(2025, 7, 1), None),
    ("27-63", "27", "Bắc Ninh", "Bac Ninh", None, date(2025, 6, 30)),
    ("02-63", "02", "Hà Giang", "Ha Giang", None, date(2025, 6, 30)),
)
INDEX = index_names(names_of(AREAS))
LABELS = {k: f"{k} {n}" for k, c, n, *_ in AREAS}
Y2019, Y2026 = date(2019, 12, 31), date(2026, 12, 31)


@pytest.mark.parametrize("text", ["Hà Nội", "Ha Noi", "HA NOI", "Hanoi", "TP. Hà Nội", "Thành phố Hà Nội",
                                  "thanh pho ha noi", "TP Hà Nội", "Hà  Nội ", "Ha Noi City"])
def test_nam001_hanoi_in_every_spelling(text):
    m = match_name(text, INDEX, Y2019, LABELS)
    assert (m.kind, m.area_key) == ("unique", "01"), text


@pytest.mark.parametrize(("text", "day", "key"), [
    ("TP. Hồ Chí Minh", Y2019, "79-63"), ("Thành phố Hồ Chí Minh", Y2026, "79"), ("TP.HCM", Y2026, "79"),
    ("Ho Chi Minh City", Y2019, "79-63"), ("Tỉnh Hà Giang", Y2019, "02-63"),
    ("Thừa Thiên Huế", date(2023, 12, 31), "46"), ("Thua Thien - Hue", date(2020, 12, 31), "46"),
    ("Bắc Ninh", Y2019, "27-63"), ("Bac Ninh", Y2026, "24"), ("Toàn quốc", Y2019, "VN")])
def test_nam002_prefixes_eras_and_historic_names(text, day, key):
    m = match_name(text, INDEX, day, LABELS)
    assert (m.kind, m.area_key) == ("unique", key), text


def test_nam003_names_outside_their_validity_and_merged_territories():
    hue = match_name("Thừa Thiên Huế", INDEX, Y2026, LABELS)
    assert hue.kind == "not_in_use" and hue.suggestion() == "46 Huế"  # renamed Huế from 2025-01-01
    ha_tay = match_name("Hà Tây", INDEX, date(2005, 12, 31), LABELS)
    assert ha_tay.kind == "merged" and ha_tay.suggestion() == "01 Hà Nội"
    assert match_name("Ha Tay", INDEX, Y2019, LABELS).suggestion() == "01 Hà Nội"
    gone = match_name("Hà Giang", INDEX, Y2026, LABELS)
    assert gone.kind == "not_in_use" and gone.suggestion() == ""  # merged into Tuyên Quang: no name of its own
    typo = match_name("Ha Noii", INDEX, Y2019, LABELS)
    assert typo.kind == "none" and typo.suggestion().startswith("01 Hà Nội")
    assert match_name("Atlantis", INDEX, Y2019, LABELS).suggestion() == ""


def test_nam004_name_key():
    assert name_key("Tỉnh Bà Rịa - Vũng Tàu") == name_key("Ba Ria Vung Tau") == "bariavungtau"
    assert name_key("TP. Hồ Chí Minh") == name_key("Ho Chi Minh City") == "hochiminh"
    assert name_key("Thành phố") == "thanhpho"  # a prefix alone is kept, never emptied


@pytest.fixture(scope="module", params=BACKENDS)
def wh(request, databases, tmp_path_factory):
    url, tmp, engine = module_warehouse(request, databases, tmp_path_factory)
    yield engine, tmp
    engine.dispose()


def test_nam005_intake_accepts_a_unique_name_with_a_mapping_and_a_warning(wh):
    engine, tmp = wh
    report = send(engine, tmp, "UB01", csv_bytes("RETAIL_SALES,Thành phố Hà Nội,202508,31.5",
                                                 "RETAIL_SALES,Thành phố Hà Nội,202509,32.0",
                                                 "RETAIL_SALES,ha noi,202507,31.0"), received_at=datetime(2025, 11, 20))
    assert report.status == "accepted", report.errors
    assert report.mappings == {"area": {"Thành phố Hà Nội": "01", "ha noi": "01"}}
    assert [(w.code, w.row, w.value) for w in report.warnings] == [
        ("area_name_matched", 2, "Thành phố Hà Nội"), ("area_name_matched", 4, "ha noi")]  # once per name
    assert "01 Hà Nội" in report.warnings[0].message_vi and "read as 01 Hà Nội" in report.warnings[0].message_en
    assert current_value(engine, "RETAIL_SALES", "01", "202508").value == 31.5
    assert report.as_dict()["mappings"] == report.mappings


def test_nam006_intake_refuses_with_the_best_candidates(wh):
    engine, tmp = wh
    before = counts(engine)
    report = send(engine, tmp, "UB01", csv_bytes("RETAIL_SALES,Ha Noii,202508,31.5", "RETAIL_SALES,Hà Tây,202508,1",
                                                 "RETAIL_SALES,Hà Giang,202510,1"), received_at=datetime(2025, 11, 20))
    assert [(e.code, e.row) for e in report.errors] == [
        ("unknown_area", 2), ("area_name_not_in_use", 3), ("area_name_not_in_use", 4)]
    assert report.errors[0].message_en == "Area code 'Ha Noii' is not in the catalogue. Did you mean 01 Hà Nội?"
    assert report.errors[0].message_vi.endswith("Có phải là 01 Hà Nội?")
    assert "Did you mean 01 Hà Nội?" in report.errors[1].message_en
    assert report.errors[2].message_en == "Area name 'Hà Giang' was not in use in period 202510, or names a merged " \
        "territory the warehouse holds no area of."
    assert counts(engine) == before
