from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import AvatarColor, Profile
from catalog.models import Title
from recommendations import services
from tests.factories import TitleFactory

pytestmark = pytest.mark.django_db

STATIC = Path(settings.BASE_DIR) / "static"


def _directives(response: object) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]  # type: ignore[index]
    parts = (part.strip().split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.fixture
def watched(alice_profile: Profile) -> Title:
    """A title Alice rated and half watched, so her pages draw stars and progress bars."""
    titles = [TitleFactory(name=f"Feature {n}") for n in range(8)]
    services.rating_set(profile=alice_profile, title=titles[0], stars=Decimal("3.5"))
    services.list_add(profile=alice_profile, title=titles[1])
    services.watch_mark_watched(profile=alice_profile, title=titles[2])
    return titles[0]


class TestContentSecurityPolicy:
    def test_pages_forbid_inline_scripts_eval_and_framing(self, client: Client) -> None:
        directives = _directives(client.get(reverse("recommendations:home")))
        assert directives["default-src"] == ["'self'"]
        assert directives["script-src"] == ["'self'"]
        assert directives["style-src"] == ["'self'"]
        assert directives["img-src"] == ["'self'", "data:"]
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["form-action"] == ["'self'"]
        assert directives["base-uri"] == ["'self'"]
        policy = client.get(reverse("recommendations:home"))["Content-Security-Policy"]
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy

    def test_api_responses_and_errors_carry_it_too(self, client: Client) -> None:
        for response in (
            client.get("/api/v1/titles/"),
            client.get("/api/v1/titles/no-such-title/"),
            client.get("/no-such-page/"),
            client.get("/api/docs/"),
            client.get("/admin/login/"),
        ):
            assert _directives(response)["script-src"] == ["'self'"], response

    def test_signed_in_pages_have_no_inline_script_style_or_eval(
        self, alice_client: Client, watched: Title
    ) -> None:
        # Whatever the policy refuses would break silently in the browser: an inline
        # script or handler, a style attribute, an htmx event filter or js: value (eval).
        pages = [
            reverse("recommendations:home"),
            watched.get_absolute_url(),
            reverse("recommendations:player", args=[watched.slug]),
            reverse("recommendations:onboarding"),
            reverse("recommendations:history"),
            reverse("recommendations:ratings"),
            reverse("recommendations:my_list"),
            reverse("accounts:account"),
            reverse("accounts:profile_picker"),
            "/rows/my-list/",
        ]
        for url in pages:
            response = alice_client.get(url, follow=True)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert "style=" not in html, url
            assert "<style" not in html, url
            for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
                assert "src=" in attributes, (url, attributes)
                assert not body.strip(), (url, body)
            assert not re.search(r"\son[a-z]+=", html), url
            assert "hx-on" not in html, url
            assert "js:" not in html, url
            for trigger in re.findall(r'hx-trigger="([^"]*)"', html):
                assert "[" not in trigger, (url, trigger)

    def test_htmx_is_configured_without_eval_or_injected_styles(self, client: Client) -> None:
        html = client.get(reverse("recommendations:home")).content.decode()
        config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
        assert config, html
        assert '"allowEval": false' in config.group(1)
        assert '"includeIndicatorStyles": false' in config.group(1)
        assert ".htmx-indicator" in (STATIC / "css" / "signals.css").read_text()

    def test_every_avatar_colour_and_half_star_has_a_rule(self) -> None:
        # Colours and ratings come as data attributes: a value with no rule would draw grey.
        css = (STATIC / "css" / "marquee.css").read_text()
        for colour in AvatarColor.values:
            assert f'.avatar[data-color="{colour}"] {{ --avatar: {colour}; }}' in css
        css = (STATIC / "css" / "signals.css").read_text()
        for half in range(1, 11):
            label = f"{half / 2:g}"
            assert f'.stars-peek[data-stars="{label}"]' in css, label


class TestPermissionsPolicy:
    def test_pages_and_the_api_deny_devices_and_allow_fullscreen_for_the_site(
        self, client: Client
    ) -> None:
        for response in (
            client.get(reverse("recommendations:home")),
            client.get("/api/v1/titles/"),
        ):
            features = dict(
                part.strip().split("=", 1) for part in response["Permissions-Policy"].split(",")
            )
            for denied in ("camera", "microphone", "geolocation", "payment", "usb"):
                assert features[denied] == "()", denied
            assert features["fullscreen"] == "(self)"
