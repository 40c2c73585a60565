from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Profile
from recommendations import services
from recommendations.models import ListItem, NotInterested, Rating, TasteExclusion, Thumbs
from tests.factories import TitleFactory

pytestmark = pytest.mark.django_db


class TestRatingSet:
    def test_stars_are_kept_with_their_thumbs(self, alice_profile: Profile) -> None:
        title = TitleFactory()
        rating = services.rating_set(profile=alice_profile, title=title, stars="4.5")
        assert (rating.stars, rating.thumbs, rating.scale) == (
            Decimal("4.5"),
            Thumbs.TWO_UP,
            "stars",
        )

    @pytest.mark.parametrize(
        ("thumbs", "stars"), [("down", "1.0"), ("up", "4.0"), ("two_up", "5.0"), (-1, "1.0")]
    )
    def test_thumbs_are_kept_with_their_stars(
        self, alice_profile: Profile, thumbs: object, stars: str
    ) -> None:
        rating = services.rating_set(profile=alice_profile, title=TitleFactory(), thumbs=thumbs)
        assert rating.stars == Decimal(stars)
        assert rating.scale == "thumbs"

    def test_rating_again_replaces(self, alice_profile: Profile) -> None:
        title = TitleFactory()
        services.rating_set(profile=alice_profile, title=title, stars=2)
        services.rating_set(profile=alice_profile, title=title, thumbs="two_up")
        assert Rating.objects.get().stars == Decimal("5.0")

    @pytest.mark.parametrize("stars", ["0", "5.5", "3.3", "-1", "abc", "nan", "Infinity", ""])
    def test_it_rejects_stars_outside_half_steps(self, alice_profile: Profile, stars: str) -> None:
        with pytest.raises(ValidationError) as error:
            services.rating_set(profile=alice_profile, title=TitleFactory(), stars=stars)
        assert "stars" in error.value.message_dict
        assert not Rating.objects.exists()

    def test_it_rejects_unknown_thumbs(self, alice_profile: Profile) -> None:
        with pytest.raises(ValidationError, match="down, up or two_up"):
            services.rating_set(profile=alice_profile, title=TitleFactory(), thumbs="sideways")

    def test_it_needs_exactly_one_scale(self, alice_profile: Profile) -> None:
        with pytest.raises(ValidationError):
            services.rating_set(profile=alice_profile, title=TitleFactory(), stars=3, thumbs=1)

    def test_unpublished_titles_cannot_be_rated(self, alice_profile: Profile) -> None:
        with pytest.raises(ValidationError):
            services.rating_set(
                profile=alice_profile, title=TitleFactory(is_published=False), stars=3
            )

    def test_the_database_refuses_bad_stars(self, alice_profile: Profile) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            Rating.objects.create(
                profile=alice_profile,
                title=TitleFactory(),
                stars=Decimal("3.3"),
                thumbs=1,
                scale="stars",
            )

    def test_the_database_refuses_two_ratings_of_a_title(self, alice_profile: Profile) -> None:
        title = TitleFactory()
        services.rating_set(profile=alice_profile, title=title, stars=3)
        with pytest.raises(IntegrityError), transaction.atomic():
            Rating.objects.create(
                profile=alice_profile, title=title, stars=Decimal("3"), thumbs=1, scale="stars"
            )

    def test_clearing(self, alice_profile: Profile) -> None:
        title = TitleFactory()
        services.rating_set(profile=alice_profile, title=title, stars=3)
        assert services.rating_clear(profile=alice_profile, title=title) is True
        assert services.rating_clear(profile=alice_profile, title=title) is False


class TestLists:
    def test_my_list_add_is_idempotent(self, alice_profile: Profile) -> None:
        title = TitleFactory()
        services.list_add(profile=alice_profile, title=title)
        services.list_add(profile=alice_profile, title=title)
        assert ListItem.objects.count() == 1
        assert services.list_remove(profile=alice_profile, title=title)
        assert not ListItem.objects.exists()

    def test_not_interested_and_undo(self, alice_profile: Profile) -> None:
        title = TitleFactory()
        services.not_interested_add(profile=alice_profile, title=title)
        assert NotInterested.objects.filter(profile=alice_profile, title=title).exists()
        services.not_interested_remove(profile=alice_profile, title=title)
        assert not NotInterested.objects.exists()

    def test_taste_exclusion_toggles(self, alice_profile: Profile) -> None:
        title = TitleFactory()
        assert services.taste_exclusion_set(profile=alice_profile, title=title, excluded=True)
        assert not services.taste_exclusion_set(profile=alice_profile, title=title, excluded=True)
        assert services.taste_exclusion_set(profile=alice_profile, title=title, excluded=False)
        assert not TasteExclusion.objects.exists()


@transaction.atomic
def _rate_then_fail(profile: Profile, title: Any) -> None:
    services.rating_set(profile=profile, title=title, stars=4)
    raise RuntimeError("boom")


class TestTheStamp:
    """A signal moves the profile's stamp in its own transaction: the next page folds it in."""

    def test_a_signal_moves_the_stamp_and_queues_nothing(
        self, alice_profile: Profile, django_capture_on_commit_callbacks: Any
    ) -> None:
        title = TitleFactory()  # saving a title has a callback of its own (the stamp)
        before = Profile.objects.get(pk=alice_profile.pk).signals_changed_at
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.rating_set(profile=alice_profile, title=title, stars=4)
        assert callbacks == []  # no refresh task: the page builds the plan itself
        assert Profile.objects.get(pk=alice_profile.pk).signals_changed_at > before

    def test_a_rollback_leaves_the_stamp(self, alice_profile: Profile) -> None:
        title = TitleFactory()
        before = Profile.objects.get(pk=alice_profile.pk).signals_changed_at
        with pytest.raises(RuntimeError), transaction.atomic():
            _rate_then_fail(alice_profile, title)
        assert Profile.objects.get(pk=alice_profile.pk).signals_changed_at == before
        assert not Rating.objects.exists()

    def test_no_change_no_new_stamp(self, alice_profile: Profile) -> None:
        before = Profile.objects.get(pk=alice_profile.pk).signals_changed_at
        services.rating_clear(profile=alice_profile, title=TitleFactory())
        assert Profile.objects.get(pk=alice_profile.pk).signals_changed_at == before
