"""Drill: schemathesis generates requests from the API's own schema (/api/schema/) and
sends them to the WSGI app in-process, as a signed-in client acting as a profile.

Every answer must be something else than a server error, with a status code, content
type and body that the schema documents. The examples are bounded and derandomized, so
a run is repeatable and takes a minute or two.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Profile
from config.wsgi import application
from recommendations import services
from tests.factories import TitleFactory

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _keep_the_tests_connection() -> Iterator[None]:
    # The requests go straight to the WSGI app, whose end closes a connection that is in a
    # transaction: the test's own, on PostgreSQL. Django's test client unhooks the same.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def as_alice(alice_profile: Profile) -> dict[str, Any]:
    """Alice's token and profile, and slugs of titles she has rated, listed and watched."""
    titles = [TitleFactory(name=f"Feature {n}") for n in range(6)]
    services.rating_set(profile=alice_profile, title=titles[0], stars=Decimal("4"))
    services.list_add(profile=alice_profile, title=titles[1])
    services.watch_mark_watched(profile=alice_profile, title=titles[2])
    token = Token.objects.create(user=alice_profile.account)
    return {
        "headers": {
            "Authorization": f"Token {token.key}",
            "X-Marquee-Profile": str(alice_profile.pk),
        },
        "slugs": itertools.cycle(title.slug for title in titles),
        "turn": itertools.count(),
    }


# Loaded when the module is collected: the schema view needs no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_schema_says(case: Any, as_alice: dict[str, Any]) -> None:
    # Random slugs only ever find nothing: every other case names a title that exists,
    # so the handlers past the lookup are exercised too.
    turn = next(as_alice["turn"])
    if case.path_parameters and "slug" in case.path_parameters and turn % 2:
        case.path_parameters["slug"] = next(as_alice["slugs"])
    case.call_and_validate(headers=as_alice["headers"], checks=CHECKS)
