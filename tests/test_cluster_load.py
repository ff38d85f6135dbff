"""The cluster load run's consistency check (``bench.cluster_load.consistency``) and the header it
reads (``X-OCC-Data-Version``), without servers."""

from __future__ import annotations

from dataclasses import dataclass

from bench.cluster_load import consistency
from tests.conftest import seeded_sqlite_world
from tests.test_resilience import router_body


@dataclass
class Rec:
    t: float  # when the answer arrived (s)
    ms: float
    version: int | None


def test_cll001_an_older_version_after_a_newer_one_was_served_is_a_violation():
    ok = [Rec(1.0, 100, 5), Rec(1.5, 100, 6), Rec(1.45, 200, 5), Rec(2.0, 100, 6), Rec(2.1, 50, None)]
    # 1.45 s (asked at 1.25 s) saw 5 while 6 arrived at 1.5 s: overlapping, not older
    assert consistency(ok) == {"responses": 4, "versions": 2, "violations": 0, "examples": []}
    late = ok + [Rec(3.0, 100, 5)]  # asked at 2.9 s, after 6 had been served: older
    result = consistency(late)
    assert result["violations"] == 1
    assert result["examples"] == [{"started_s": 2.9, "saw": 5, "already_served": 6}]


def test_cll002_a_callback_response_names_the_version_it_read(databases, tmp_path_factory):
    from app import create_app
    from data_access.engine import get_data_version
    from tests.conftest import make_settings
    from web.responses import VERSION_HEADER

    url, tmp, engine = seeded_sqlite_world(databases, tmp_path_factory, "version-header")
    with engine.connect() as conn:
        version = get_data_version(conn)
    engine.dispose()
    server = create_app(make_settings(url, tmp))
    try:
        client = server.test_client()
        for _ in range(2):  # computed, then served from the cache: both name the version
            res = client.post("/_dash-update-component", json=router_body("/daily"))
            assert res.status_code == 200 and res.headers[VERSION_HEADER] == str(version)
        assert VERSION_HEADER not in client.get("/_favicon.ico").headers
    finally:
        server.extensions["warehouse"].dispose()
