from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from accounts.models import Profile
from tests.factories import ProfileFactory, TitleFactory

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


def _schema(client: Client) -> dict[str, Any]:
    response = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    return response.json()


def _operation(schema: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return schema["paths"][path][method.lower()]


class TestErrorResponses:
    def test_every_operation_documents_its_errors_with_the_error_schemas(
        self, client: Client
    ) -> None:
        schema = _schema(client)
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                codes = set(operation["responses"])
                where = f"{method.upper()} {path}"
                # Every operation is authenticated or throttled, or both.
                assert codes & {"401", "429"}, where
                # And may meet a database outage (config.database_outage).
                assert "Retry-After" in operation["responses"]["503"]["headers"], where
                if "{" in path or path.startswith("/api/v1/me/"):
                    assert "404" in codes, where
                if "requestBody" in operation:
                    assert {"400", "415"} <= codes, where
                for code in codes - {"200", "201", "204"}:
                    body = operation["responses"][code]["content"]["application/json"]
                    name = "ValidationError" if code == "400" else "Error"
                    assert body["schema"] == {"$ref": f"#/components/schemas/{name}"}, where
        assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]
        assert "429" not in _operation(schema, "GET", "/api/v1/titles/")["responses"]
        throttled = _operation(schema, "POST", "/api/v1/auth/token/")["responses"]["429"]
        assert "Retry-After" in throttled["headers"]

    def test_the_errors_the_api_answers_are_the_documented_ones(
        self, client: Client, alice_profile: Profile
    ) -> None:
        # Each request below fails in its own way; its status must be one the operation
        # documents, and its body must match the documented schema.
        schema = _schema(client)
        title = TitleFactory(name="Arrival")
        adult = TitleFactory(name="Old Boy", maturity_rating="R")
        kid = ProfileFactory(account=alice_profile.account, is_kids=True, max_maturity_age=7)
        token = Token.objects.create(user=alice_profile.account).key
        signed_in = {"Authorization": f"Token {token}"}
        alice = {**signed_in, "X-Marquee-Profile": str(alice_profile.pk)}
        rating = f"/api/v1/me/ratings/{title.slug}/"
        cases: list[tuple[str, str, str, dict[str, Any], int]] = [
            ("POST", "/api/v1/auth/token/", "/api/v1/auth/token/", {"json": {}}, 400),
            (
                "POST",
                "/api/v1/auth/token/",
                "/api/v1/auth/token/",
                {"data": "email=a", "content_type": "text/plain"},
                415,
            ),
            ("GET", "/api/v1/titles/", "/api/v1/titles/?year=abc", {}, 400),
            ("GET", "/api/v1/titles/", "/api/v1/titles/?page=99", {}, 404),
            (
                "GET",
                "/api/v1/titles/",
                "/api/v1/titles/",
                {"headers": {"Authorization": "Token wrong"}},
                401,
            ),
            ("GET", "/api/v1/titles/{slug}/", "/api/v1/titles/nothing/", {}, 404),
            (
                "GET",
                "/api/v1/titles/{slug}/",
                f"/api/v1/titles/{adult.slug}/",
                {"headers": {**signed_in, "X-Marquee-Profile": str(kid.pk)}},
                403,
            ),
            ("GET", "/api/v1/me/profiles/", "/api/v1/me/profiles/", {}, 401),
            ("GET", "/api/v1/me/ratings/", "/api/v1/me/ratings/", {"headers": signed_in}, 400),
            (
                "GET",
                "/api/v1/me/ratings/",
                "/api/v1/me/ratings/",
                {"headers": {**signed_in, "X-Marquee-Profile": "abc"}},
                400,
            ),
            (
                "GET",
                "/api/v1/me/ratings/",
                "/api/v1/me/ratings/",
                {"headers": {**signed_in, "X-Marquee-Profile": "999999"}},
                404,
            ),
            (
                "PUT",
                "/api/v1/me/ratings/{slug}/",
                rating,
                {"json": {"stars": "9"}, "headers": alice},
                400,
            ),
            (
                "PUT",
                "/api/v1/me/ratings/{slug}/",
                rating,
                {"data": "{", "content_type": "application/json", "headers": alice},
                400,
            ),
            ("DELETE", "/api/v1/me/ratings/{slug}/", rating, {"headers": alice}, 404),
            (
                "POST",
                "/api/v1/me/watch-events/",
                "/api/v1/me/watch-events/",
                {"json": {"events": [{"id": "x", "title": title.slug}]}, "headers": alice},
                400,
            ),
            ("GET", "/api/v1/me/rows/{key}/", "/api/v1/me/rows/nothing/", {"headers": alice}, 404),
        ]
        for method, path, url, options, expected in cases:
            options = dict(options)
            if "json" in options:
                options["data"] = json.dumps(options.pop("json"))
                options["content_type"] = "application/json"
            response = client.generic(method, url, **options)
            where = f"{method} {url}"
            assert response.status_code == expected, (where, response.content)
            documented = _operation(schema, method, path)["responses"]
            assert str(expected) in documented, where
            _validate(response.json(), documented[str(expected)], schema)

    def test_throttled_sign_in_answers_the_documented_429(self, client: Client) -> None:
        schema = _schema(client)
        documented = _operation(schema, "POST", "/api/v1/auth/token/")["responses"]
        body = {"email": "nobody@example.com", "password": "wrong"}
        statuses = []
        for _ in range(12):
            response = client.post("/api/v1/auth/token/", body, content_type="application/json")
            statuses.append(response.status_code)
        assert statuses[-1] == 429, statuses
        assert "Retry-After" in response
        _validate(response.json(), documented["429"], schema)


def _validate(body: object, response: dict[str, Any], schema: dict[str, Any]) -> None:
    reference = response["content"]["application/json"]["schema"]
    jsonschema.validate(body, {**reference, "components": schema["components"]})
