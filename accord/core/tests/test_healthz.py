import json

from django.db import connection


def test_healthz_reports_a_reachable_migrated_database(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["database"]["reachable"] is True
    assert body["database"]["vendor"] == connection.vendor
    assert body["database"]["pending_migrations"] == 0


def test_healthz_needs_no_login_and_is_not_cached(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert "no-cache" in response.headers.get("Cache-Control", "") or "max-age=0" in response.headers.get(
        "Cache-Control", ""
    )
