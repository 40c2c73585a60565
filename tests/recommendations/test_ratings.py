from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Profile
from recommendations import services, tasks
from recommendations.models import ListItem, NotInterested, Rating, TasteExclusion, Thumbs
from tests.factories import ProfileFactory, TitleFactory

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


class TestRefreshScheduling:
    @pytest.fixture
    def enqueued(self, monkeypatch: pytest.MonkeyPatch) -> list[int]:
        calls: list[int] = []
        monkeypatch.setattr(
            tasks.refresh_profile_recommendations,
            "apply_async",
            lambda args, kwargs=None, **options: calls.append(*args),
        )
        return calls

    def test_a_signal_enqueues_one_refresh_on_commit(
        self, alice_profile: Profile, enqueued: list[int], django_capture_on_commit_callbacks: Any
    ) -> None:
        title = TitleFactory()  # saving a title has a callback of its own (the stamp)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.rating_set(profile=alice_profile, title=title, stars=4)
            assert enqueued == []  # nothing before the commit
        assert len(callbacks) == 1
        assert enqueued == [alice_profile.pk]

    def test_several_signals_in_one_transaction_enqueue_once(
        self, alice_profile: Profile, enqueued: list[int], django_capture_on_commit_callbacks: Any
    ) -> None:
        title = TitleFactory()
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            services.rating_set(profile=alice_profile, title=title, stars=4)
            services.list_add(profile=alice_profile, title=title)
            services.not_interested_add(profile=alice_profile, title=TitleFactory())
        assert enqueued == [alice_profile.pk]

    def test_each_profile_gets_its_own_refresh(
        self,
        alice_profile: Profile,
        bob: Any,
        enqueued: list[int],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        bobs = ProfileFactory(account=bob)
        title = TitleFactory()
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            services.rating_set(profile=alice_profile, title=title, stars=4)
            services.rating_set(profile=bobs, title=title, stars=2)
        assert sorted(enqueued) == sorted([alice_profile.pk, bobs.pk])

    def test_a_rollback_enqueues_nothing(
        self, alice_profile: Profile, enqueued: list[int], django_capture_on_commit_callbacks: Any
    ) -> None:
        title = TitleFactory()
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(RuntimeError):
                _rate_then_fail(alice_profile, title)
            assert enqueued == []
            # A rolled-back refresh must not stop the next commit from scheduling one.
            services.rating_set(profile=alice_profile, title=title, stars=3)
        assert enqueued == [alice_profile.pk]
        assert Rating.objects.get().stars == Decimal("3")

    def test_no_change_no_refresh(
        self, alice_profile: Profile, enqueued: list[int], django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            services.rating_clear(profile=alice_profile, title=TitleFactory())
        assert enqueued == []

    def test_the_task_runs_for_the_profile(self, alice_profile: Profile) -> None:
        services.rating_set(profile=alice_profile, title=TitleFactory(), stars=4)
        result = tasks.refresh_profile_recommendations.delay(alice_profile.pk).get()
        # No model is trained yet: nothing to fold the rating into.
        assert result == {"candidates": 0}
