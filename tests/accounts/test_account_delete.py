"""Deleting an account: every row it owns goes, in every app, and nothing of anyone else's."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import Profile, User
from recommendations.models import (
    ListItem,
    NotInterested,
    Rating,
    TasteExclusion,
    WatchEvent,
    WatchProgress,
)
from tests.factories import ProfileFactory, UserFactory
from tests.helpers import fill, signed_in

pytestmark = pytest.mark.django_db


def _owner_fields() -> list[tuple[type[models.Model], str, type[models.Model]]]:
    """Every foreign key to an account or a profile, in every installed model.

    Found rather than listed, so that a model added later is checked without editing this.
    """
    owners = (User, Profile)
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in owners:
                found.append((model, field.attname, field.related_model))
    return found


def _rows_owned(user_ids: list[int], profile_ids: list[int]) -> dict[str, int]:
    counts = {}
    for model, attname, owner in _owner_fields():
        ids = user_ids if owner is User else profile_ids
        counts[f"{model._meta.label}.{attname}"] = model._default_manager.filter(
            **{f"{attname}__in": ids}
        ).count()
    return counts


class TestDeleteAccount:
    URL = reverse("accounts:delete")

    def test_the_confirm_page_asks_for_the_password(self, alice_client: Client) -> None:
        response = alice_client.get(self.URL)
        assert response.status_code == 200
        assert 'type="password"' in response.text
        assert "alice@example.com" in response.text
        assert "cannot be undone" in response.text

    def test_a_wrong_password_deletes_nothing(
        self, alice_client: Client, alice: User, alice_profile: Profile
    ) -> None:
        fill(alice_profile)
        response = alice_client.post(self.URL, {"password": "not my password"})
        assert response.status_code == 200
        assert "That is not your password" in response.text
        assert User.objects.filter(pk=alice.pk).exists()
        assert Rating.objects.filter(profile=alice_profile).count() == 2
        assert alice_client.get(reverse("accounts:account")).status_code == 200

    def test_an_empty_password_deletes_nothing(self, alice_client: Client, alice: User) -> None:
        response = alice_client.post(self.URL, {"password": ""})
        assert response.status_code == 200
        assert User.objects.filter(pk=alice.pk).exists()

    def test_it_refuses_a_post_without_csrf(self, alice: User, alice_profile: Profile) -> None:
        client = signed_in(alice, alice_profile, csrf=True)
        response = client.post(self.URL, {"password": "correct horse battery"})
        assert response.status_code == 403
        assert User.objects.filter(pk=alice.pk).exists()

    def test_it_deletes_every_row_of_the_account_and_nothing_else(
        self, alice_client: Client, alice: User, alice_profile: Profile, bob: User
    ) -> None:
        second = ProfileFactory(account=alice, name="Sam")
        fill(alice_profile)
        fill(second)
        Token.objects.create(user=alice)
        elsewhere = signed_in(alice, second)
        bobs = ProfileFactory(account=bob, name="Bob")
        fill(bobs)
        Token.objects.create(user=bob)
        charlie = UserFactory(email="charlie@example.com")
        alice_ids, alice_profile_ids = [alice.pk], [alice_profile.pk, second.pk]
        before = _rows_owned(alice_ids, alice_profile_ids)
        for model in (Rating, ListItem, NotInterested, TasteExclusion, WatchEvent, WatchProgress):
            assert before[f"{model._meta.label}.profile_id"] > 0, model
        assert before["authtoken.Token.user_id"] == 1
        bob_before = _rows_owned([bob.pk], [bobs.pk])
        session_key = alice_client.session.session_key

        response = alice_client.post(self.URL, {"password": "correct horse battery"})

        assert response.status_code == 302
        assert response["Location"] == reverse("recommendations:home")
        assert not User.objects.filter(pk=alice.pk).exists()
        assert not Profile.objects.filter(pk__in=alice_profile_ids).exists()
        assert set(_rows_owned(alice_ids, alice_profile_ids).values()) == {0}
        assert _rows_owned([bob.pk], [bobs.pk]) == bob_before
        assert User.objects.filter(pk__in=[bob.pk, charlie.pk]).count() == 2
        # Signed out here, and another signed-in browser of hers no longer gets in.
        assert not Session.objects.filter(session_key=session_key).exists()
        home = alice_client.get(response["Location"])
        assert "Your account and everything in it are deleted" in home.text
        assert not home.wsgi_request.user.is_authenticated
        stale = elsewhere.get(reverse("accounts:account"))
        assert stale.status_code == 302
        assert stale["Location"].startswith(reverse("accounts:login"))
        # Her API token is gone with her.
        assert not Token.objects.filter(user_id=alice.pk).exists()

    def test_it_needs_a_signed_in_account(self, client: Client) -> None:
        response = client.post(self.URL, {"password": "correct horse battery"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
