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
        if asset.startswith("/api/docs/?"):
            continue  # the page's own set-up script, checked below
        assert asset.startswith("/static/"), asset
        # Shipped by the sidecar package (or ours), so collectstatic serves it.
        assert finders.find(asset.removeprefix("/static/")), asset
    assert "cdn" not in html.lower()
    assert not re.search(r"""["'(]https?://""", html)


def test_the_docs_page_has_no_inline_script_or_style(client: Client) -> None:
    # The Content-Security-Policy refuses both: the set-up script comes from ?script.
    html = client.get("/api/docs/").content.decode()
    assert "<style" not in html
    assert "style=" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts
    assert all('src="' in attributes and not body.strip() for attributes, body in scripts)
    setup = re.search(r'src="(/api/docs/\?[^"]*)"', html)
    assert setup, html
    response = client.get(setup.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()
