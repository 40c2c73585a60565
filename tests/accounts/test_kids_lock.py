"""The profile lock: PINs, a kids profile that cannot leave without the password or the
target's PIN, and no catalogue before a profile is chosen — on the site and in the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.lock import KIDS_KEY, OPEN, SESSION_KEY, UNLOCKED_KEY, Credential, SessionLock
from accounts.models import Profile, User
from catalog.models import Title
from tests.factories import ProfileFactory, TitleFactory
from tests.helpers import watch_as

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
THEO_PIN = "2468"


@pytest.fixture
def adult(alice_profile: Profile) -> Profile:
    return alice_profile


@pytest.fixture
def kid(alice: User) -> Profile:
    return services.profile_create(account=alice, name="Kid", is_kids=True, max_maturity_age=7)


@pytest.fixture
def theo(alice: User) -> Profile:
    """An adult profile locked with a PIN."""
    return services.profile_create(account=alice, name="Theo", pin=THEO_PIN)


@pytest.fixture
def titles(db: None) -> dict[str, Title]:
    return {
        "adult": TitleFactory(name="Night Heist", maturity_rating="R"),
        "family": TitleFactory(name="Sunny Farm", maturity_rating="G"),
    }


@pytest.fixture
def kid_client(client: Client, alice: User, kid: Profile) -> Client:
    """Alice's account, handed to the kids profile as the site does it (the picker)."""
    client.force_login(alice)
    response = client.post(reverse("accounts:profile_select", args=[kid.pk]))
    assert response.status_code == 302
    assert client.session[KIDS_KEY] is True
    return client


def _current(client: Client) -> int | None:
    return client.session.get(SESSION_KEY)


def _unlock(client: Client, profile: Profile, **data: str) -> Any:
    return client.post(reverse("accounts:profile_unlock", args=[profile.pk]), data)


def _leave(client: Client, password: str, next_url: str = "") -> Any:
    data = {"password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:profile_leave"), data)


class TestPin:
    def test_it_is_stored_hashed(self, theo: Profile) -> None:
        theo.refresh_from_db()
        assert theo.has_pin
        assert THEO_PIN not in theo.pin_hash
        assert theo.check_pin(THEO_PIN)
        assert not theo.check_pin("2469")

    def test_an_adult_profile_sets_changes_and_removes_a_pin(
        self, alice_client: Client, theo: Profile
    ) -> None:
        url = reverse("accounts:profile_edit", args=[theo.pk])
        form = {"name": "Theo", "avatar_color": "#3d7eff", "language": "en"}
        form["max_maturity_age"] = "18"
        assert alice_client.post(url, {**form, "pin": "1357"}).status_code == 302
        theo.refresh_from_db()
        assert theo.check_pin("1357")
        assert not theo.check_pin(THEO_PIN)
        # Left empty, the PIN stays.
        assert alice_client.post(url, form).status_code == 302
        theo.refresh_from_db()
        assert theo.check_pin("1357")
        assert alice_client.post(url, {**form, "pin_remove": "on"}).status_code == 302
        theo.refresh_from_db()
        assert not theo.has_pin

    def test_a_pin_is_four_digits(self, alice_client: Client, adult: Profile) -> None:
        response = alice_client.post(
            reverse("accounts:profile_edit", args=[adult.pk]),
            {
                "name": "Alice",
                "avatar_color": "#3d7eff",
                "language": "en",
                "max_maturity_age": "18",
                "pin": "12a4",
            },
        )
        assert response.status_code == 200
        assert "A PIN is 4 digits." in response.text
        adult.refresh_from_db()
        assert not adult.has_pin

    def test_a_new_profile_may_get_a_pin(self, alice_client: Client, alice: User) -> None:
        response = alice_client.post(
            reverse("accounts:profile_create"),
            {
                "name": "Dana",
                "avatar_color": "#2bb673",
                "language": "en",
                "max_maturity_age": "18",
                "pin": "0000",
            },
        )
        assert response.status_code == 302
        assert alice.profiles.get(name="Dana").check_pin("0000")

    def test_the_api_says_which_profiles_have_one(
        self, alice_client: Client, theo: Profile
    ) -> None:
        profiles = alice_client.get("/api/v1/me/profiles/").json()["results"]
        assert {p["name"]: p["has_pin"] for p in profiles} == {"Alice": False, "Theo": True}
        assert all("pin_hash" not in p for p in profiles)


class TestSessionLock:
    def test_what_each_move_asks(self, adult: Profile, kid: Profile, theo: Profile) -> None:
        on_adult = SessionLock.read({}, adult)
        assert on_adult.to_enter(kid) is Credential.NONE
        assert on_adult.to_enter(theo) is Credential.PIN_OR_PASSWORD
        assert on_adult.to_manage() is Credential.NONE
        on_kid = SessionLock.read({KIDS_KEY: True}, kid)
        assert on_kid.to_enter(kid) is Credential.NONE
        assert on_kid.to_enter(adult) is Credential.PASSWORD
        assert on_kid.to_enter(theo) is Credential.PIN_OR_PASSWORD
        assert on_kid.to_manage() is Credential.PASSWORD
        remembered = SessionLock.read({UNLOCKED_KEY: [theo.pk]}, adult)
        assert remembered.to_enter(theo) is Credential.NONE

    def test_a_profile_made_kids_since_holds_the_session(self, adult: Profile) -> None:
        adult.is_kids, adult.max_maturity_age = True, 7
        assert SessionLock.read({}, adult).kids

    def test_a_deleted_kids_profile_leaves_the_session_held(self, adult: Profile) -> None:
        # No profile, but the session entered a kids profile: still no way out.
        lock = SessionLock.read({KIDS_KEY: True}, None)
        assert lock.to_enter(adult) is Credential.PASSWORD
        assert lock.to_manage() is Credential.PASSWORD


class TestServicesRefuseAKidsSession:
    def test_no_limit_change(self, kid: Profile) -> None:
        held = SessionLock.read({KIDS_KEY: True}, kid)
        with pytest.raises(services.ProfileLocked):
            services.profile_update(profile=kid, by=held, is_kids=False, max_maturity_age=18)
        kid.refresh_from_db()
        assert (kid.is_kids, kid.max_maturity_age) == (True, 7)

    def test_no_new_profile(self, alice: User, kid: Profile) -> None:
        held = SessionLock.read({KIDS_KEY: True}, kid)
        with pytest.raises(services.ProfileLocked):
            services.profile_create(account=alice, name="Grown-up", by=held)
        assert not alice.profiles.filter(name="Grown-up").exists()

    def test_no_pin_change_or_deletion(self, theo: Profile, kid: Profile) -> None:
        held = SessionLock.read({KIDS_KEY: True}, kid)
        with pytest.raises(services.ProfileLocked):
            services.profile_update(profile=theo, by=held, pin=None)
        with pytest.raises(services.ProfileLocked):
            services.profile_delete(profile=theo, by=held)
        theo.refresh_from_db()
        assert theo.check_pin(THEO_PIN)

    def test_no_switch_without_a_credential(self, kid: Profile, adult: Profile) -> None:
        session: dict[str, object] = {SESSION_KEY: kid.pk, KIDS_KEY: True}
        held = SessionLock.read(session, kid)
        with pytest.raises(services.ProfileLocked):
            services.profile_select(session=session, lock=held, profile=adult)
        assert session[SESSION_KEY] == kid.pk

    def test_the_account_itself_may(self, kid: Profile) -> None:
        services.profile_update(profile=kid, by=OPEN, max_maturity_age=10)
        kid.refresh_from_db()
        assert kid.max_maturity_age == 10


class TestLeavingAKidsProfile:
    def test_switching_to_an_adult_asks_for_the_password(
        self, kid_client: Client, kid: Profile, adult: Profile
    ) -> None:
        response = kid_client.post(
            reverse("accounts:profile_select", args=[adult.pk]), {"next": "/browse/"}
        )
        assert response.status_code == 302
        assert response["Location"] == (
            reverse("accounts:profile_unlock", args=[adult.pk]) + "?next=%2Fbrowse%2F"
        )
        assert _current(kid_client) == kid.pk
        form = kid_client.get(response["Location"])
        assert form.status_code == 200
        assert "needs the account’s password" in form.text
        assert 'name="pin"' not in form.text

    def test_a_wrong_password_is_refused_and_the_right_one_lets_through(
        self, kid_client: Client, kid: Profile, adult: Profile
    ) -> None:
        wrong = _unlock(kid_client, adult, password="not it", next="/browse/")
        assert wrong.status_code == 200
        assert "That is not the account’s password." in wrong.text
        assert _current(kid_client) == kid.pk
        empty = _unlock(kid_client, adult)
        assert "Enter the account’s password." in empty.text
        right = _unlock(kid_client, adult, password=PASSWORD, next="/browse/")
        assert right["Location"] == "/browse/"
        assert _current(kid_client) == adult.pk
        assert KIDS_KEY not in kid_client.session

    def test_a_pin_profile_takes_its_pin(
        self, kid_client: Client, kid: Profile, theo: Profile
    ) -> None:
        form = kid_client.get(reverse("accounts:profile_unlock", args=[theo.pk]))
        assert "Enter Theo’s PIN" in form.text
        wrong = _unlock(kid_client, theo, pin="1111")
        assert "That PIN is not right." in wrong.text
        assert _current(kid_client) == kid.pk
        assert _unlock(kid_client, theo, pin=THEO_PIN).status_code == 302
        assert _current(kid_client) == theo.pk

    def test_another_profiles_pin_does_not_open_an_adult_profile(
        self, kid_client: Client, alice: User, adult: Profile
    ) -> None:
        services.profile_create(account=alice, name="Sibling", is_kids=True, pin="1234")
        response = _unlock(kid_client, adult, pin="1234")
        assert _current(kid_client) != adult.pk
        assert "Enter the account’s password." in response.text

    def test_the_header_cannot_switch_in_the_api(
        self, kid_client: Client, adult: Profile, titles: dict[str, Title]
    ) -> None:
        response = kid_client.get("/api/v1/titles/", headers={"X-Marquee-Profile": str(adult.pk)})
        assert response.status_code == 403
        assert response.json()["detail"].startswith("This profile is locked for this session")
        mine = kid_client.get("/api/v1/titles/").json()["results"]
        assert [t["name"] for t in mine] == ["Sunny Farm"]
        detail = kid_client.get(f"/api/v1/titles/{titles['adult'].slug}/")
        assert detail.status_code == 403

    @pytest.mark.parametrize(
        "url",
        [
            "/account/",
            "/account/password/",
            "/account/delete/",
            "/account/data/marquee-data.json",
            "/account/data/ratings.csv",
            "/account/data/history.csv",
            "/account/data/import/",
            "/account/profiles/new/",
            "/admin/",
        ],
    )
    def test_account_pages_and_the_admin_ask_for_the_password(
        self, kid_client: Client, alice: User, url: str
    ) -> None:
        alice.is_staff = True
        alice.save()
        response = kid_client.get(url)
        assert response.status_code == 302
        assert response["Location"] == (
            f"{reverse('accounts:profile_leave')}?next={url.replace('/', '%2F')}"
        )

    def test_its_own_settings_ask_for_the_password(self, kid_client: Client, kid: Profile) -> None:
        url = reverse("accounts:profile_edit", args=[kid.pk])
        assert kid_client.get(url)["Location"].startswith(reverse("accounts:profile_leave"))
        # Posting the form straight away changes nothing either.
        response = kid_client.post(
            url,
            {"name": "Kid", "avatar_color": "#e50914", "language": "en", "max_maturity_age": 18},
        )
        assert response.status_code == 302
        kid.refresh_from_db()
        assert (kid.is_kids, kid.max_maturity_age) == (True, 7)

    def test_it_cannot_create_or_delete_profiles(
        self, kid_client: Client, alice: User, adult: Profile
    ) -> None:
        kid_client.post(
            reverse("accounts:profile_create"),
            {
                "name": "Grown-up",
                "avatar_color": "#2bb673",
                "language": "en",
                "max_maturity_age": 18,
            },
        )
        kid_client.post(reverse("accounts:profile_delete", args=[adult.pk]))
        assert set(alice.profiles.values_list("name", flat=True)) == {"Alice", "Kid"}

    def test_the_password_leads_out_to_the_account_pages(
        self, kid_client: Client, kid: Profile
    ) -> None:
        wrong = _leave(kid_client, "not it", "/account/")
        assert wrong.status_code == 200
        assert "That is not the account’s password." in wrong.text
        assert kid_client.get("/account/").status_code == 302
        right = _leave(kid_client, PASSWORD, "/account/")
        assert right["Location"] == "/account/"
        assert kid_client.get("/account/").status_code == 200
        # The kids profile is left: titles wait for the picker, and choosing it holds again.
        assert _current(kid_client) is None
        assert kid_client.get("/")["Location"].startswith(reverse("accounts:profile_picker"))
        kid_client.post(reverse("accounts:profile_select", args=[kid.pk]))
        assert kid_client.get("/account/").status_code == 302

    def test_then_its_settings_may_change(self, kid_client: Client, kid: Profile) -> None:
        _leave(kid_client, PASSWORD)
        response = kid_client.post(
            reverse("accounts:profile_edit", args=[kid.pk]),
            {"name": "Kid", "avatar_color": "#e50914", "language": "en", "max_maturity_age": 10},
        )
        assert response.status_code == 302
        kid.refresh_from_db()
        assert kid.max_maturity_age == 10

    def test_the_private_session_switch_stays_open(self, kid_client: Client, kid: Profile) -> None:
        response = kid_client.post(reverse("profile_data:private_session"), {"enabled": "on"})
        assert response.status_code == 302
        kid.refresh_from_db()
        assert kid.private_session

    def test_an_htmx_request_is_sent_to_the_whole_page(self, kid_client: Client) -> None:
        response = kid_client.get("/account/", headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert response["HX-Redirect"].startswith(reverse("accounts:profile_leave"))

    def test_the_leave_form_without_a_kids_profile_just_goes_on(self, alice_client: Client) -> None:
        response = alice_client.get(reverse("accounts:profile_leave") + "?next=/account/")
        assert response["Location"] == "/account/"


class TestEnteringAPinProfile:
    def test_it_asks_for_the_pin_from_another_adult(
        self, alice_client: Client, adult: Profile, theo: Profile
    ) -> None:
        response = alice_client.post(reverse("accounts:profile_select", args=[theo.pk]))
        assert response["Location"] == reverse("accounts:profile_unlock", args=[theo.pk])
        assert _current(alice_client) == adult.pk
        assert "That PIN is not right." in _unlock(alice_client, theo, pin="0000").text
        assert _unlock(alice_client, theo, password=PASSWORD).status_code == 302
        assert _current(alice_client) == theo.pk

    def test_it_asks_right_after_signing_in(
        self, client: Client, alice: User, adult: Profile, theo: Profile
    ) -> None:
        client.force_login(alice)
        response = client.post(reverse("accounts:profile_select", args=[theo.pk]))
        assert response["Location"].startswith(reverse("accounts:profile_unlock", args=[theo.pk]))
        assert client.post(reverse("accounts:profile_select", args=[adult.pk])).status_code == 302
        assert _current(client) == adult.pk

    # The unlock lives in the session, whichever engine keeps it ("" leaves the setting).
    @pytest.mark.parametrize(
        "engine",
        ["", "django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"],
    )
    def test_the_session_remembers_the_unlock_until_a_kids_profile(
        self,
        client: Client,
        settings: Any,
        alice: User,
        adult: Profile,
        kid: Profile,
        theo: Profile,
        engine: str,
    ) -> None:
        if engine:
            settings.SESSION_ENGINE = engine
        client.force_login(alice)
        select = lambda p: client.post(reverse("accounts:profile_select", args=[p.pk]))  # noqa: E731
        select(adult)
        assert _unlock(client, theo, pin=THEO_PIN).status_code == 302
        select(adult)
        assert select(theo)["Location"] == reverse("recommendations:home")
        assert _current(client) == theo.pk
        # Handing the screen to a kids profile forgets it.
        select(kid)
        assert select(theo)["Location"].startswith(
            reverse("accounts:profile_unlock", args=[theo.pk])
        )
        assert _current(client) == kid.pk

    def test_a_new_session_asks_again(
        self, client: Client, alice: User, adult: Profile, theo: Profile
    ) -> None:
        client.force_login(alice)
        _unlock(client, theo, pin=THEO_PIN)
        client.logout()
        client.force_login(alice)
        response = client.post(reverse("accounts:profile_select", args=[theo.pk]))
        assert response["Location"].startswith(reverse("accounts:profile_unlock", args=[theo.pk]))

    def test_the_api_header_needs_the_unlock_in_a_session_but_not_with_a_token(
        self, alice_client: Client, alice: User, theo: Profile, titles: dict[str, Title]
    ) -> None:
        header = {"X-Marquee-Profile": str(theo.pk)}
        assert alice_client.get("/api/v1/me/list/", headers=header).status_code == 403
        _unlock(alice_client, theo, pin=THEO_PIN)
        watch_as(alice_client, alice.profiles.get(name="Alice"))
        assert alice_client.get("/api/v1/me/list/", headers=header).status_code == 200
        token = Token.objects.create(user=alice)
        response = Client().get(
            "/api/v1/me/list/", headers={**header, "Authorization": f"Token {token.key}"}
        )
        assert response.status_code == 200

    def test_the_unlock_page_of_an_open_profile_goes_back_to_the_picker(
        self, alice_client: Client, adult: Profile, alice: User
    ) -> None:
        other = ProfileFactory(account=alice, name="Open")
        response = alice_client.get(reverse("accounts:profile_unlock", args=[other.pk]))
        assert response["Location"] == reverse("accounts:profile_picker")

    def test_another_accounts_profile_is_404(self, alice_client: Client, bob: User) -> None:
        bobs = ProfileFactory(account=bob)
        assert alice_client.get(reverse("accounts:profile_unlock", args=[bobs.pk])).status_code == (
            404
        )


class TestThePickerComesFirst:
    @pytest.fixture
    def signed_in(self, client: Client, alice: User, adult: Profile) -> Client:
        client.force_login(alice)
        return client

    @pytest.mark.parametrize(
        "path",
        ["/", "/browse/", "/search/?q=heist", "/me/list/", "/titles/night-heist/", "/watch/x/"],
    )
    def test_pages_with_titles_send_to_the_picker(
        self, signed_in: Client, titles: dict[str, Title], path: str
    ) -> None:
        response = signed_in.get(path)
        assert response.status_code == 302
        picker = reverse("accounts:profile_picker")
        assert response["Location"].startswith(f"{picker}?next=")
        assert "Night Heist" not in signed_in.get(response["Location"]).text

    def test_a_fragment_request_is_sent_to_the_whole_picker(self, signed_in: Client) -> None:
        response = signed_in.get("/rows/top-picks/", headers={"HX-Request": "true"})
        assert response["HX-Redirect"].startswith(reverse("accounts:profile_picker"))

    def test_the_account_pages_stay_open(self, signed_in: Client) -> None:
        assert signed_in.get("/account/").status_code == 200

    def test_the_api_asks_for_a_profile_in_a_session(
        self, signed_in: Client, titles: dict[str, Title]
    ) -> None:
        response = signed_in.get("/api/v1/titles/")
        assert response.status_code == 400
        assert "Choose a profile" in response.json()["detail"]
        assert signed_in.get(f"/api/v1/titles/{titles['adult'].slug}/").status_code == 400

    def test_a_token_without_the_header_acts_as_the_account(
        self, alice: User, titles: dict[str, Title]
    ) -> None:
        token = Token.objects.create(user=alice)
        response = Client().get("/api/v1/titles/", headers={"Authorization": f"Token {token.key}"})
        assert {t["name"] for t in response.json()["results"]} == {"Night Heist", "Sunny Farm"}

    def test_visitors_still_browse(self, client: Client, titles: dict[str, Title]) -> None:
        assert client.get("/browse/").status_code == 200
        assert client.get("/api/v1/titles/").status_code == 200

    def test_a_curator_without_a_profile_gets_the_admins_posters(
        self, signed_in: Client, alice: User, titles: dict[str, Title]
    ) -> None:
        url = reverse("catalog:poster", args=[titles["adult"].slug])
        assert signed_in.get(url).status_code == 302
        alice.is_staff = True
        alice.save()
        assert signed_in.get(url).status_code == 200


class TestAKidsProfileNeverSeesAnAdultTitle:
    def test_on_the_pages_a_kid_reaches(self, kid_client: Client, titles: dict[str, Title]) -> None:
        for path in ["/browse/", "/search/?q=heist", "/search/?q=night"]:
            response = kid_client.get(path)
            assert response.status_code == 200, path
            assert "Night Heist" not in response.text, path
        assert kid_client.get(f"/titles/{titles['adult'].slug}/").status_code == 403


def test_unlock_form_errors_are_never_a_server_error(kid_client: Client, adult: Profile) -> None:
    for data in ({"pin": "x" * 5000}, {"password": "\x00"}, {"pin": "１２３４"}, {}):
        response = _unlock(kid_client, adult, **data)
        assert response.status_code == 200
    assert _leave(kid_client, "\x00").status_code == 200


def test_profile_unlock_rejects_a_missing_credential(rf: Any, kid: Profile, theo: Profile) -> None:
    request = rf.post("/")
    request.session = {SESSION_KEY: kid.pk, KIDS_KEY: True}
    request.user = theo.account
    with pytest.raises(ValidationError, match="Theo’s PIN or the account’s password"):
        services.profile_unlock(
            request=request,
            lock=SessionLock.read(request.session, kid),
            profile=theo,
            pin="",
            password="",
        )
