from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_schema_validates_without_warnings(tmp_path: Path) -> None:
    # --fail-on-warn turns any warning of drf-spectacular into an exception.
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in ("/api/v1/me/watch-events/", "/api/v1/me/ratings/{slug}/", "/api/v1/titles/"):
        assert f"{path}:" in schema


def test_the_schema_is_served(client: Client) -> None:
    response = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Marquee API"
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_the_docs_page_uses_only_local_assets(client: Client) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html
    for asset in assets:
        assert asset.startswith("/static/drf_spectacular_sidecar/"), asset
        # Shipped by the sidecar package, so collectstatic serves it with the site's own.
        assert finders.find(asset.removeprefix("/static/")), asset
    assert "cdn" not in html.lower()
    assert not re.search(r"""["'(]https?://""", html)
