from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from config.views import server_error


def test_500_page_is_styled_and_needs_no_database() -> None:
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert "marquee.css" in response.content.decode()


@pytest.mark.django_db
def test_404_page_is_styled(client: Client) -> None:
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Lost your way?" in response.text
    assert 'class="site-header"' in response.text


@pytest.mark.django_db
def test_unknown_api_routes_answer_json(client: Client) -> None:
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
