"""Drill: PostgreSQL drops the site's connection. A 503 for that request, then back to normal."""

from __future__ import annotations

import time
from typing import Any

import jsonschema
import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from catalog import selectors as catalog_selectors
from tests.factories import TitleFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="drops a PostgreSQL backend"),
    pytest.mark.django_db(transaction=True),
]


def _terminate_backend() -> None:
    """Kill the site's database session from another connection, as a restart or a
    failover would, and wait until the server has ended it."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                return
            time.sleep(0.02)
    raise AssertionError(f"backend {pid} still alive")


@pytest.fixture
def title() -> Any:
    return TitleFactory(name="Arrival")


def test_a_page_answers_503_then_the_next_request_works(client: Client, title: Any) -> None:
    url = reverse("recommendations:title", args=[title.slug])
    assert client.get(url).status_code == 200
    _terminate_backend()

    response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert '<p class="error-code">503</p>' in response.text
    assert "try again in a moment" in response.text

    assert client.get(url).status_code == 200


def test_a_connection_dropped_mid_request(
    client: Client, title: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = catalog_selectors.title_detail

    def dropped_on_the_way(**kwargs: Any) -> Any:
        _terminate_backend()
        return real(**kwargs)

    monkeypatch.setattr(catalog_selectors, "title_detail", dropped_on_the_way)
    url = reverse("recommendations:title", args=[title.slug])
    assert client.get(url).status_code == 503
    monkeypatch.setattr(catalog_selectors, "title_detail", real)
    assert client.get(url).status_code == 200


def test_the_api_answers_json_as_its_schema_says(client: Client, title: Any) -> None:
    schema = client.get(
        "/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}
    ).json()
    documented = schema["paths"]["/api/v1/titles/"]["get"]["responses"]["503"]
    _terminate_backend()
    response = client.get("/api/v1/titles/")
    assert response.status_code == 503
    assert response.json() == {
        "detail": "The service is briefly unavailable. Try again in a moment."
    }
    assert "Retry-After" in documented["headers"]
    reference = documented["content"]["application/json"]["schema"]
    jsonschema.validate(response.json(), {**reference, "components": schema["components"]})
    assert client.get("/api/v1/titles/").status_code == 200


def test_a_drop_met_by_a_middleware_answers_503_too(alice_client: Client, title: Any) -> None:
    # The current profile is looked up before any view runs.
    Profile.objects.update(onboarded_at=timezone.now())
    alice_client.raise_request_exception = False
    assert alice_client.get(reverse("recommendations:home")).status_code == 200
    _terminate_backend()
    response = alice_client.get(reverse("recommendations:home"))
    assert response.status_code == 503
    assert '<p class="error-code">503</p>' in response.text
    assert alice_client.get(reverse("recommendations:home")).status_code == 200


def test_a_rating_after_the_drop_is_saved(alice_client: Client, title: Any) -> None:
    Profile.objects.update(onboarded_at=timezone.now())
    alice_client.raise_request_exception = False
    _terminate_backend()
    assert alice_client.get(reverse("recommendations:home")).status_code == 503
    rated = alice_client.post(reverse("recommendations:rate", args=[title.slug]), {"stars": 5})
    assert rated.status_code == 302
    assert Profile.objects.get().ratings.get().stars == 5
