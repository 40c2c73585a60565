"""The title page's match and "More like this" reuse the profile's context this process
built last (for its home plan or an earlier title page) until a signal moves it."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Profile
from catalog.models import Title
from recommendations import services
from recommendations.activity import activity_read
from recommendations.core.page.activity import Activity
from recommendations.home import catalogue as home_catalogue
from recommendations.home import context as home_context
from recommendations.home import insight
from recommendations.home import plan as plans
from recommendations.models import ModelVersion
from tests.factories import ProfileFactory
from tests.helpers import watch_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The profiles whose signals were read (five queries each), in order."""
    calls: list[int] = []
    real = activity_read

    def counted(profile: Profile) -> Activity:
        calls.append(profile.pk)
        return real(profile)

    monkeypatch.setattr(home_context, "activity_read", counted)
    return calls


def _ben() -> Profile:
    return Profile.objects.get(account__email="demo@marquee.local", name="Ben")


def _top_pick(profile: Profile) -> Title:
    return Title.objects.get(pk=plans.home_plan(profile=profile).row("top-picks").title_ids[0])


def test_a_title_page_after_the_home_page_reuses_the_plans_context(
    client: Client, trained: ModelVersion, reads: list[int]
) -> None:
    ben = _ben()
    client.force_login(ben.account)
    watch_as(client, ben)
    client.get("/")
    assert reads == [ben.pk]
    pick = _top_pick(ben)
    page = client.get(pick.get_absolute_url())
    assert reads == [ben.pk]
    insight = page.context["insight"]
    assert insight.match == plans.home_plan(profile=ben).cards[pick.pk]["match"]
    assert insight.more_like_this


def test_later_title_pages_reuse_the_first_ones_context(
    client: Client, trained: ModelVersion, reads: list[int]
) -> None:
    ben = _ben()
    titles = list(Title.objects.order_by("pk")[:3])
    for title in titles:
        insight.title_insight(profile=ben, title=title)
    assert reads == [ben.pk]


def test_a_new_signal_builds_the_context_again(trained: ModelVersion, reads: list[int]) -> None:
    ben = _ben()
    pick = _top_pick(ben)
    before = insight.title_insight(profile=ben, title=pick)
    services.rating_set(profile=ben, title=pick, stars="0.5")
    ben.refresh_from_db()  # the next request's profile, with its stamp moved
    after = insight.title_insight(profile=ben, title=pick)
    assert reads == [ben.pk, ben.pk]
    assert pick.pk not in {t.pk for t in after.more_like_this}
    assert before.match is not None


def test_a_kept_context_shows_what_a_fresh_one_does(trained: ModelVersion) -> None:
    ben = _ben()
    pick = _top_pick(ben)
    kept = insight.title_insight(profile=ben, title=pick)
    insight._insight_contexts.clear()
    fresh = insight.title_insight(profile=ben, title=pick)
    assert (kept.match, kept.predicted_stars) == (fresh.match, fresh.predicted_stars)
    assert [t.pk for t in kept.more_like_this] == [t.pk for t in fresh.more_like_this]
    assert [t.match for t in kept.more_like_this] == [t.match for t in fresh.more_like_this]


def test_new_catalogue_arrays_are_not_mixed_with_a_kept_context(
    trained: ModelVersion, reads: list[int]
) -> None:
    ben = _ben()
    pick = _top_pick(ben)
    insight.title_insight(profile=ben, title=pick)
    home_catalogue.forget()  # rebuilt, as after a curator's edit
    insight.title_insight(profile=ben, title=pick)
    assert len(reads) == 2


def test_kept_contexts_are_bounded_by_their_bytes(
    trained: ModelVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    ben = _ben()
    other = ProfileFactory(account=ben.account, name="Other")
    title = Title.objects.first()
    insight.title_insight(profile=ben, title=title)
    one = next(iter(insight._insight_contexts.values())).nbytes
    monkeypatch.setattr(insight, "INSIGHT_CONTEXTS_MAX_BYTES", one)
    insight.title_insight(profile=other, title=title)
    assert [key[0] for key in insight._insight_contexts] == [other.pk]
