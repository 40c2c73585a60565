"""Limits on guessing: per e-mail address and per client address, atomic, proxy-aware."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import limits, services
from accounts.models import Profile, User
from accounts.services import SESSION_KEY
from tests.factories import UserFactory
from tests.helpers import redis_location, redis_up, watch_as

ROOT = Path(__file__).resolve().parent.parent.parent
TOKEN_URL = "/api/v1/auth/token/"


class TestClientAddress:
    def _request(self, remote: str = "198.51.100.7", forwarded: str | None = None) -> Any:
        headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
        return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)

    def test_without_proxies_the_forwarded_header_is_ignored(self, settings: Any) -> None:
        settings.MARQUEE_TRUSTED_PROXIES = 0
        request = self._request(forwarded="203.0.113.1, 203.0.113.2")
        assert limits.client_address(request) == "198.51.100.7"

    def test_one_proxy_means_the_address_it_added(self, settings: Any) -> None:
        settings.MARQUEE_TRUSTED_PROXIES = 1
        request = self._request(forwarded="6.6.6.6, 203.0.113.9")
        assert limits.client_address(request) == "203.0.113.9"

    def test_two_proxies_mean_the_second_from_the_right(self, settings: Any) -> None:
        settings.MARQUEE_TRUSTED_PROXIES = 2
        request = self._request(forwarded="6.6.6.6,203.0.113.9 , 10.0.0.2")
        assert limits.client_address(request) == "203.0.113.9"

    def test_a_short_header_gives_its_first_address(self, settings: Any) -> None:
        settings.MARQUEE_TRUSTED_PROXIES = 3
        assert limits.client_address(self._request(forwarded="203.0.113.9")) == "203.0.113.9"

    def test_a_proxy_without_the_header_gives_the_peer(self, settings: Any) -> None:
        settings.MARQUEE_TRUSTED_PROXIES = 1
        assert limits.client_address(self._request()) == "198.51.100.7"


def _settings_value(expression: str, **variables: str) -> str:
    # Settings are read once at start-up: a fresh process per environment.
    environ = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="x7#kq2!vN9pLm4@rT8wZ1yB6cF3hJ5sD0gA-uE_oI*QeWbnMpRtYa",
        ALLOWED_HOSTS="marquee.example",
        **variables,
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; print({expression})",
        ],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 or "ImproperlyConfigured" in result.stderr, result.stderr
    return result.stdout.strip() or result.stderr.strip().splitlines()[-1]


class TestProxySettings:
    def test_production_ignores_x_forwarded_proto_without_proxies(self, tmp_path: Path) -> None:
        value = _settings_value(
            "settings.SECURE_PROXY_SSL_HEADER, settings.REST_FRAMEWORK['NUM_PROXIES']",
            MARQUEE_VAR_DIR=str(tmp_path),
        )
        assert value == "None 0"

    def test_production_trusts_x_forwarded_proto_behind_a_proxy(self, tmp_path: Path) -> None:
        value = _settings_value(
            "settings.SECURE_PROXY_SSL_HEADER, settings.REST_FRAMEWORK['NUM_PROXIES']",
            MARQUEE_VAR_DIR=str(tmp_path),
            MARQUEE_TRUSTED_PROXIES="2",
        )
        assert value == "('HTTP_X_FORWARDED_PROTO', 'https') 2"

    def test_a_negative_count_stops_start_up(self, tmp_path: Path) -> None:
        value = _settings_value(
            "settings.MARQUEE_TRUSTED_PROXIES",
            MARQUEE_VAR_DIR=str(tmp_path),
            MARQUEE_TRUSTED_PROXIES="-1",
        )
        assert "MARQUEE_TRUSTED_PROXIES: must be at least 0" in value

    def test_limits_come_from_the_environment(self, tmp_path: Path) -> None:
        value = _settings_value(
            "settings.MARQUEE_SIGN_IN_CLIENT_FAILURES, settings.MARQUEE_SIGN_UP_PER_CLIENT, "
            "settings.MARQUEE_PASSWORD_RESET_PER_ADDRESS",
            MARQUEE_VAR_DIR=str(tmp_path),
            MARQUEE_SIGN_IN_CLIENT_FAILURES="7",
            MARQUEE_SIGN_UP_PER_CLIENT="8",
            MARQUEE_PASSWORD_RESET_PER_ADDRESS="2",
        )
        assert value == "7 8 2"


@pytest.mark.django_db
class TestTokenThrottle:
    def test_rotating_x_forwarded_for_does_not_escape_the_throttle(self) -> None:
        client = Client()
        statuses = [
            client.post(
                TOKEN_URL,
                {"email": f"nobody{n}@example.com", "password": "nope"},
                content_type="application/json",
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            ).status_code
            for n in range(20)
        ]
        # MARQUEE_TOKEN_RATE is 10/min: the same client (REMOTE_ADDR) for all twenty.
        assert statuses == [400] * 10 + [429] * 10


class _Checks:
    """Counts password checks, slowly, so that parallel sign-ins overlap."""

    def __init__(self, monkeypatch: Any) -> None:
        self.count = 0
        self._lock = threading.Lock()
        original = User.check_password

        def check_password(user: User, raw: str) -> bool:
            with self._lock:
                self.count += 1
            threading.Event().wait(0.02)
            return original(user, raw)

        monkeypatch.setattr(User, "check_password", check_password)


def _parallel_wrong_passwords(email: str, attempts: int) -> tuple[int, int]:
    """`attempts` threads try a wrong password at once: (refused as locked, wrong password)."""
    barrier = threading.Barrier(attempts)
    outcomes: list[str] = []

    def attempt(n: int) -> None:
        request = RequestFactory().post("/", REMOTE_ADDR=f"198.51.100.{n}")
        barrier.wait()
        try:
            user = services.sign_in(request=request, email=email, password="wrong")
            outcomes.append("signed in" if user else "wrong")
        except limits.LimitReached:
            outcomes.append("locked")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes.count("locked"), outcomes.count("wrong")


@pytest.mark.django_db(transaction=True)
class TestSignInRace:
    def test_parallel_wrong_passwords_get_exactly_the_allowed_checks(
        self, monkeypatch: Any, settings: Any
    ) -> None:
        settings.MARQUEE_SIGN_IN_FAILURES = 5
        user = UserFactory(email="race@example.com")
        checks = _Checks(monkeypatch)
        assert _parallel_wrong_passwords(user.email, 40) == (35, 5)
        assert checks.count == 5

    @pytest.mark.skipif(
        not redis_up() and not os.environ.get("MARQUEE_REQUIRE_SERVICES"),
        reason="Redis is not running on 127.0.0.1:6379",
    )
    def test_the_same_on_redis(self, monkeypatch: Any, settings: Any) -> None:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_location(),
                "KEY_PREFIX": f"test-limits-{uuid.uuid4().hex}",
            }
        }
        settings.MARQUEE_SIGN_IN_FAILURES = 5
        user = UserFactory(email="race@example.com")
        checks = _Checks(monkeypatch)
        assert _parallel_wrong_passwords(user.email, 40) == (35, 5)
        assert checks.count == 5
        # The count ends with its window: a key without an expiry would lock for ever.
        redis = cache._cache.get_client(None)
        _, address_limit = services._sign_in_limits()
        for key in limits._keys(address_limit, user.email):
            assert 0 < redis.ttl(cache.make_key(key)) <= settings.MARQUEE_SIGN_IN_WINDOW


def _sign_in(client: Client, email: str, password: str, **headers: str) -> Any:
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, headers=headers
    )


@pytest.mark.django_db
class TestSignInPerClient:
    @pytest.fixture(autouse=True)
    def _limit(self, settings: Any) -> None:
        settings.MARQUEE_SIGN_IN_FAILURES = 5
        settings.MARQUEE_SIGN_IN_CLIENT_FAILURES = 3

    def test_one_client_guessing_many_addresses_waits(self, alice: User) -> None:
        guesser = Client(REMOTE_ADDR="203.0.113.5")
        for n in range(3):
            response = _sign_in(
                guesser, f"someone{n}@example.com", "nope", X_Forwarded_For=f"10.0.0.{n}"
            )
            assert "correct e-mail address and password" in response.text
        # Even a right password waits now, from this client only.
        locked = _sign_in(guesser, "alice@example.com", "correct horse battery")
        assert locked.status_code == 200
        assert "Too many failed sign-ins from your network. Try again in 15 minutes." in (
            locked.text
        )
        other = Client(REMOTE_ADDR="198.51.100.1")
        assert _sign_in(other, "alice@example.com", "correct horse battery").status_code == 302

    def test_the_api_token_endpoint_counts_too_and_says_429(self, alice: User) -> None:
        guesser = Client(REMOTE_ADDR="203.0.113.5")
        for n in range(3):
            _sign_in(guesser, f"someone{n}@example.com", "nope")
        response = guesser.post(
            TOKEN_URL,
            {"email": "alice@example.com", "password": "correct horse battery"},
            content_type="application/json",
        )
        assert response.status_code == 429
        assert response.json()["detail"].startswith("Too many failed sign-ins from your network.")
        assert int(response["Retry-After"]) > 800

    def test_signing_in_to_ones_own_account_does_not_reset_the_client(self, alice: User) -> None:
        guesser = Client(REMOTE_ADDR="203.0.113.5")
        for n in range(2):
            _sign_in(guesser, f"someone{n}@example.com", "nope")
        assert _sign_in(guesser, "alice@example.com", "correct horse battery").status_code == 302
        guesser.logout()
        _sign_in(guesser, "someone9@example.com", "nope")
        assert (
            "Too many failed sign-ins from your network"
            in _sign_in(guesser, "someone10@example.com", "nope").text
        )

    def test_a_locked_address_does_not_use_up_the_client(self, alice: User, settings: Any) -> None:
        settings.MARQUEE_SIGN_IN_FAILURES = 1
        guesser = Client(REMOTE_ADDR="203.0.113.5")
        _sign_in(guesser, "bob@example.com", "nope")
        for _ in range(5):
            assert "for this address" in _sign_in(guesser, "bob@example.com", "nope").text
        assert _sign_in(guesser, "alice@example.com", "correct horse battery").status_code == 302


def _sign_up(client: Client, email: str, **headers: str) -> Any:
    return client.post(
        reverse("accounts:signup"),
        {"name": "Dana", "email": email, "password": "a long enough secret"},
        headers=headers,
    )


@pytest.mark.django_db
class TestSignUpLimits:
    def test_one_client_may_create_only_a_few_accounts(self, settings: Any) -> None:
        settings.MARQUEE_SIGN_UP_PER_CLIENT = 2
        for n in range(2):
            client = Client(REMOTE_ADDR="203.0.113.5")
            assert _sign_up(client, f"dana{n}@example.com").status_code == 302
        client = Client(REMOTE_ADDR="203.0.113.5")
        response = _sign_up(client, "dana9@example.com", X_Forwarded_For="10.1.1.1")
        assert response.status_code == 200
        assert "Too many sign-ups from your network. Try again in 60 minutes." in response.text
        assert not User.objects.filter(email="dana9@example.com").exists()
        assert _sign_up(Client(REMOTE_ADDR="198.51.100.1"), "dana9@example.com").status_code == 302

    def test_probing_one_address_is_limited(self, settings: Any, alice: User) -> None:
        # "An account with this address exists" tells who has an account: a few tries only.
        settings.MARQUEE_SIGN_UP_PER_ADDRESS = 2
        for n in range(2):
            response = _sign_up(Client(REMOTE_ADDR=f"203.0.113.{n}"), "alice@example.com")
            assert "An account with this address exists" in response.text
        response = _sign_up(Client(REMOTE_ADDR="203.0.113.99"), "ALICE@example.com")
        assert "Too many sign-ups for this address" in response.text
        assert "An account with this address exists" not in response.text


def _reset(client: Client, email: str) -> Any:
    return client.post(reverse("accounts:password_reset"), {"email": email})


@pytest.mark.django_db
class TestPasswordResetLimits:
    def test_an_address_gets_a_few_mails_an_hour(self, settings: Any, alice: User) -> None:
        settings.MARQUEE_PASSWORD_RESET_PER_ADDRESS = 3
        for n in range(3):
            response = _reset(Client(REMOTE_ADDR=f"203.0.113.{n}"), "alice@example.com")
            assert response.status_code == 302
        response = _reset(Client(REMOTE_ADDR="203.0.113.99"), "Alice@Example.com")
        assert response.status_code == 200
        assert "Too many reset requests for this address. Try again in 60 minutes." in (
            response.text
        )
        assert len(mail.outbox) == 3

    def test_a_client_gets_a_few_mails_an_hour(self, settings: Any, alice: User, bob: User) -> None:
        settings.MARQUEE_PASSWORD_RESET_PER_CLIENT = 2
        client = Client(REMOTE_ADDR="203.0.113.5")
        assert _reset(client, "alice@example.com").status_code == 302
        assert _reset(client, "bob@example.com").status_code == 302
        response = _reset(client, "bob@example.com")
        assert "Too many reset requests from your network." in response.text
        assert len(mail.outbox) == 2

    def test_the_answer_does_not_tell_whether_the_address_exists(
        self, settings: Any, alice: User
    ) -> None:
        settings.MARQUEE_PASSWORD_RESET_PER_ADDRESS = 1

        def answers(email: str) -> list[tuple[int, str]]:
            client = Client(REMOTE_ADDR=f"203.0.113.{len(email)}")
            first, second = _reset(client, email), _reset(client, email)
            return [
                (first.status_code, first.get("Location", "")),
                (second.status_code, second.text.replace(email, "EMAIL")),
            ]

        known, unknown = answers("alice@example.com"), answers("nobody@example.com")
        assert known[0] == unknown[0] == (302, reverse("accounts:password_reset_done"))
        assert "Too many reset requests for this address" in known[1][1]
        assert "Too many reset requests for this address" in unknown[1][1]
        assert known[1][0] == unknown[1][0] == 200
        assert len(mail.outbox) == 1


def _pin(client: Client, profile: Profile, pin: str) -> Any:
    return client.post(reverse("accounts:profile_unlock", args=[profile.pk]), {"pin": pin})


def _on(alice: User, profile: Profile, remote: str) -> Client:
    client = Client(REMOTE_ADDR=remote)
    client.force_login(alice)
    return watch_as(client, profile)


@pytest.mark.django_db
class TestPinLimits:
    @pytest.fixture
    def locked(self, alice: User) -> list[Profile]:
        return [
            services.profile_create(account=alice, name=name, pin="2468")
            for name in ("Theo", "Uma")
        ]

    def test_a_profile_takes_a_few_wrong_pins(
        self, settings: Any, alice: User, alice_profile: Profile, locked: list[Profile]
    ) -> None:
        settings.MARQUEE_PIN_FAILURES = 3
        theo = locked[0]
        for n in range(3):
            response = _pin(_on(alice, alice_profile, f"203.0.113.{n}"), theo, "1111")
            assert "That PIN is not right." in response.text
        # From a fresh client, and the right PIN: the profile waits out the window.
        client = _on(alice, alice_profile, "198.51.100.1")
        response = _pin(client, theo, "2468")
        assert response.status_code == 200
        assert "Too many wrong PINs for this profile. Try again in 15 minutes." in response.text
        assert client.session[SESSION_KEY] == alice_profile.pk
        # The other profile is not held by it.
        assert _pin(client, locked[1], "2468").status_code == 302

    def test_one_client_guessing_many_profiles_waits(
        self, settings: Any, alice: User, alice_profile: Profile, locked: list[Profile]
    ) -> None:
        settings.MARQUEE_PIN_CLIENT_FAILURES = 2
        guesser = _on(alice, alice_profile, "203.0.113.5")
        for profile in locked:
            response = guesser.post(
                reverse("accounts:profile_unlock", args=[profile.pk]),
                {"pin": "1111"},
                headers={"X-Forwarded-For": f"10.0.0.{profile.pk}"},
            )
            assert "That PIN is not right." in response.text
        response = _pin(guesser, locked[0], "2468")
        assert "Too many wrong PINs from your network. Try again in 15 minutes." in response.text
        assert _pin(_on(alice, alice_profile, "198.51.100.1"), locked[0], "2468").status_code == 302

    def test_the_right_pin_clears_the_profiles_count(
        self, settings: Any, alice: User, alice_profile: Profile, locked: list[Profile]
    ) -> None:
        settings.MARQUEE_PIN_FAILURES = 3
        theo = locked[0]
        for _ in range(3):
            client = _on(alice, alice_profile, "203.0.113.5")
            for _ in range(2):
                assert "That PIN is not right." in _pin(client, theo, "1111").text
            assert _pin(client, theo, "2468").status_code == 302

    def test_the_password_form_counts_as_a_sign_in(
        self, settings: Any, alice: User, alice_profile: Profile
    ) -> None:
        settings.MARQUEE_SIGN_IN_FAILURES = 2
        kid = services.profile_create(account=alice, name="Kid", is_kids=True)
        client = _on(alice, kid, "203.0.113.5")
        url = reverse("accounts:profile_leave")
        for _ in range(2):
            assert "not the account’s password" in client.post(url, {"password": "x"}).text
        response = client.post(url, {"password": "correct horse battery"})
        assert "Too many failed sign-ins for this address." in response.text
        assert client.session[SESSION_KEY] == kid.pk


def _parallel_wrong_pins(profile: Profile, attempts: int) -> tuple[int, int]:
    """`attempts` threads try a wrong PIN at once: (refused by the limit, wrong PIN)."""
    barrier = threading.Barrier(attempts)
    outcomes: list[str] = []

    def attempt(n: int) -> None:
        request = RequestFactory().post("/", REMOTE_ADDR=f"198.51.100.{n}")
        barrier.wait()
        try:
            right = services.profile_pin_check(request=request, profile=profile, pin="0000")
            outcomes.append("right" if right else "wrong")
        except limits.LimitReached:
            outcomes.append("limited")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes.count("limited"), outcomes.count("wrong")


class TestPinRace:
    @pytest.fixture
    def profile(self, monkeypatch: Any) -> Profile:
        # No database: the check reads the hash on the instance, the counters the cache.
        profile = Profile(pk=4242, name="Theo")
        profile.set_pin("2468")
        self.checks = 0
        guard = threading.Lock()
        original = Profile.check_pin

        def check_pin(instance: Profile, pin: str) -> bool:
            with guard:
                self.checks += 1
            threading.Event().wait(0.02)
            return original(instance, pin)

        monkeypatch.setattr(Profile, "check_pin", check_pin)
        return profile

    def test_parallel_wrong_pins_get_exactly_the_allowed_checks(
        self, settings: Any, profile: Profile
    ) -> None:
        settings.MARQUEE_PIN_FAILURES = 5
        assert _parallel_wrong_pins(profile, 40) == (35, 5)
        assert self.checks == 5

    @pytest.mark.skipif(
        not redis_up() and not os.environ.get("MARQUEE_REQUIRE_SERVICES"),
        reason="Redis is not running on 127.0.0.1:6379",
    )
    def test_the_same_on_redis(self, settings: Any, profile: Profile) -> None:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_location(),
                "KEY_PREFIX": f"test-pin-limits-{uuid.uuid4().hex}",
            }
        }
        settings.MARQUEE_PIN_FAILURES = 5
        assert _parallel_wrong_pins(profile, 40) == (35, 5)
        assert self.checks == 5
