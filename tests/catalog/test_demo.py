"""The demo world generator, without a database."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import AvatarColor, Language
from catalog.demo import (
    EMAIL_DOMAIN,
    FIRST_YEAR,
    LAST_YEAR,
    TASTE_GROUPS,
    DemoWorld,
    TitleSpec,
    affinity,
    profile_viewings,
    world_build,
)
from catalog.maturity import KIDS_MAX_AGE, MINIMUM_AGE
from catalog.models import MAX_RUNTIME

FILM_RATINGS = {"G", "PG", "PG-13", "R", "NC-17"}
SERIES_RATINGS = {"TV-Y", "TV-Y7", "TV-G", "TV-PG", "TV-14", "TV-MA"}
KIDS_RATINGS = {"G", "PG", "TV-Y", "TV-Y7", "TV-G"}
GROUP_BY_NAME = {group.name: group for group in TASTE_GROUPS}


@pytest.fixture(scope="module")
def world() -> DemoWorld:
    return world_build(titles=1500, users=300, seed=42)


def test_the_same_seed_builds_an_equal_world() -> None:
    assert world_build(titles=80, users=20, seed=7) == world_build(titles=80, users=20, seed=7)


def test_the_world_does_not_depend_on_the_hash_seed() -> None:
    # Iterating a set of strings would change with PYTHONHASHSEED, so compare two processes.
    script = (
        "import hashlib, django; django.setup();"
        "from catalog.demo import world_build;"
        "print(hashlib.sha256(repr(world_build(titles=60, users=10, seed=3)).encode()).hexdigest())"
    )
    root = Path(__file__).resolve().parents[2]
    digests = set()
    for hash_seed in ("1", "2"):
        env = {
            **os.environ,
            "PYTHONHASHSEED": hash_seed,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
        }
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        digests.add(result.stdout.strip())
    assert len(digests) == 1


def test_a_different_seed_builds_a_different_world() -> None:
    one = world_build(titles=50, users=10, seed=1)
    two = world_build(titles=50, users=10, seed=2)
    assert [t.name for t in one.titles] != [t.name for t in two.titles]
    assert [a.email for a in one.accounts] != [a.email for a in two.accounts]


def test_the_number_of_users_leaves_the_catalogue_alone() -> None:
    few = world_build(titles=50, users=1, seed=9)
    many = world_build(titles=50, users=40, seed=9)
    assert few.titles == many.titles
    assert few.people == many.people


def test_it_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError, match="titles"):
        world_build(titles=0, users=1, seed=1)
    with pytest.raises(ValueError, match="users"):
        world_build(titles=1, users=-1, seed=1)
    with pytest.raises(ValueError, match="seed"):
        world_build(titles=1, users=1, seed=-1)


def test_a_single_title_world_still_has_a_full_cast() -> None:
    world = world_build(titles=1, users=0, seed=0)
    assert len(world.titles) == 1
    assert sum(c.role == "actor" for c in world.titles[0].credits) >= 4
    assert world.accounts == ()


def test_titles_respect_the_model_constraints(world: DemoWorld) -> None:
    genre_names = {genre.name for genre in world.genres}
    tag_names = {tag.name for tag in world.tags}
    for title in world.titles:
        assert FIRST_YEAR <= title.year <= LAST_YEAR
        assert title.release_date.year == title.year
        assert len(title.slug) <= 280
        assert title.name
        assert title.synopsis
        assert 1 <= len(title.genres) <= 3
        assert len(set(title.genres)) == len(title.genres)
        assert set(title.genres) <= genre_names
        assert 1 <= len(title.tags) <= 4
        assert len(set(title.tags)) == len(title.tags)
        assert set(title.tags) <= tag_names
        assert len(title.country) == 2
        assert title.original_language
        if title.kind == "series":
            assert title.maturity_rating in SERIES_RATINGS
            assert 22 <= title.runtime_minutes <= 60
            assert 1 <= len(title.seasons) <= 5
        else:
            assert title.kind == "movie"
            assert title.maturity_rating in FILM_RATINGS
            assert 78 <= title.runtime_minutes <= 170
            assert title.seasons == ()


def test_slugs_are_unique(world: DemoWorld) -> None:
    for items in (world.titles, world.people, world.genres, world.tags):
        slugs = [item.slug for item in items]
        assert len(set(slugs)) == len(slugs)


def test_about_one_title_in_seven_is_a_series(world: DemoWorld) -> None:
    share = sum(title.kind == "series" for title in world.titles) / len(world.titles)
    assert 0.11 < share < 0.19


def test_years_lean_recent(world: DemoWorld) -> None:
    years = [title.year for title in world.titles]
    assert min(years) < 1970
    assert sum(year >= 2000 for year in years) > sum(year < 2000 for year in years)


def test_seasons_are_numbered_and_never_air_in_the_future(world: DemoWorld) -> None:
    series = [title for title in world.titles if title.seasons]
    assert series
    for title in series:
        assert [season.number for season in title.seasons] == list(range(1, len(title.seasons) + 1))
        for season in title.seasons:
            assert title.year <= season.year <= LAST_YEAR
            assert 6 <= len(season.episodes) <= 10
            assert [e.number for e in season.episodes] == list(range(1, len(season.episodes) + 1))
            for episode in season.episodes:
                assert episode.name
                assert 1 <= episode.runtime_minutes <= MAX_RUNTIME
                assert 22 <= episode.runtime_minutes <= 60


def test_each_person_has_one_credit_per_role_and_title(world: DemoWorld) -> None:
    for title in world.titles:
        pairs = [(credit.person, credit.role) for credit in title.credits]
        assert len(set(pairs)) == len(pairs), title.name
        roles = Counter(credit.role for credit in title.credits)
        if title.kind == "series":
            assert 1 <= roles["creator"] <= 2
            assert roles["director"] == 0
        else:
            assert roles["director"] == 1
            assert roles["creator"] == 0
        assert 1 <= roles["writer"] <= 2
        assert 4 <= roles["actor"] <= 8
        actors = [credit for credit in title.credits if credit.role == "actor"]
        assert [credit.billing_order for credit in actors] == list(range(1, len(actors) + 1))
        assert all(credit.character for credit in actors)
        assert all(0 <= credit.person < len(world.people) for credit in title.credits)


def test_people_are_mostly_born_before_their_titles(world: DemoWorld) -> None:
    credits = [(title, credit) for title in world.titles for credit in title.credits]
    plausible = sum(
        world.people[credit.person].birth_year + 8 <= title.year for title, credit in credits
    )
    assert plausible / len(credits) > 0.95
    assert all(1800 <= person.birth_year <= LAST_YEAR for person in world.people)


def test_the_people_pool_grows_with_the_catalogue() -> None:
    assert len(world_build(titles=1000, users=0, seed=1).people) == 1500


def test_genres_and_tags_go_together(world: DemoWorld) -> None:
    def share(titles: list[TitleSpec], tags: set[str]) -> float:
        return sum(bool(tags & set(title.tags)) for title in titles) / len(titles)

    horror = [title for title in world.titles if "Horror" in title.genres]
    family = [title for title in world.titles if "Family" in title.genres]
    assert share(horror, {"dark", "tense"}) > 2 * share(family, {"dark", "tense"})
    assert share(family, {"heartwarming", "feel-good"}) > 2 * share(
        horror, {"heartwarming", "feel-good"}
    )


def test_animation_and_family_titles_are_mostly_rated_for_kids(world: DemoWorld) -> None:
    def kids_share(titles: list[TitleSpec]) -> float:
        return sum(title.maturity_rating in KIDS_RATINGS for title in titles) / len(titles)

    gentle = [t for t in world.titles if {"Animation", "Family"} & set(t.genres)]
    rest = [t for t in world.titles if not {"Animation", "Family"} & set(t.genres)]
    assert kids_share(gentle) > 0.6
    assert 0.05 < kids_share(rest) < 0.4


def test_accounts_have_unique_demo_addresses(world: DemoWorld) -> None:
    emails = [account.email for account in world.accounts]
    assert len(emails) == 300
    assert len({email.lower() for email in emails}) == len(emails)
    assert all(email.endswith(f"@{EMAIL_DOMAIN}") for email in emails)
    assert world.accounts[0].email.split("@")[0].endswith(".1")


def test_profiles_fit_the_account_rules(world: DemoWorld) -> None:
    for account in world.accounts:
        profiles = account.profiles
        assert 1 <= len(profiles) <= min(4, settings.MARQUEE_MAX_PROFILES)
        assert profiles[0].name == account.name.split()[0]
        assert not profiles[0].is_kids
        names = [profile.name.lower() for profile in profiles]
        assert len(set(names)) == len(names)
        colours = [profile.avatar_color for profile in profiles]
        assert len(set(colours)) == len(colours)
        assert set(colours) <= set(AvatarColor.values)
        for profile in profiles:
            assert profile.language in Language.values
            assert 1 <= len(profile.name) <= 40
            if profile.is_kids:
                assert profile.max_maturity_age <= KIDS_MAX_AGE
    kids_share = sum(p.is_kids for p in world.profiles) / len(world.profiles)
    assert 0.08 < kids_share < 0.22


def test_every_profile_belongs_to_a_taste_group(world: DemoWorld) -> None:
    assert len(world.profile_groups) == len(world.profiles)
    assert set(world.profile_groups) == set(TASTE_GROUPS)
    kids_groups = Counter(p.group.name for p in world.profiles if p.is_kids)
    assert kids_groups.most_common(1)[0][0] == "family-night"


def test_affinity_knows_a_horror_fan_from_a_family(world: DemoWorld) -> None:
    horror = next(
        index
        for index, title in enumerate(world.titles)
        if title.genres == ("Horror",) and {"dark", "tense"} & set(title.tags)
    )
    fans = affinity(world, horror, GROUP_BY_NAME["horror-hounds"])
    families = affinity(world, horror, GROUP_BY_NAME["family-night"])
    assert fans > 0.5
    assert families < 0.1


def test_affinity_stays_between_zero_and_one(world: DemoWorld) -> None:
    for group in TASTE_GROUPS:
        scores = world.affinities(group)
        assert len(scores) == len(world.titles)
        assert all(0.0 <= score <= 1.0 for score in scores)
        assert scores[10] == affinity(world, 10, group)


def test_a_group_watches_titles_it_likes_more_than_other_groups_would(
    world: DemoWorld,
) -> None:
    watched: dict[str, list[int]] = {group.name: [] for group in TASTE_GROUPS}
    for index, group in enumerate(world.profile_groups):
        watched[group.name] += [v.title_index for v in profile_viewings(world, index)]
    for group in TASTE_GROUPS:
        titles = watched[group.name]
        assert len(titles) > 100, group.name
        own = statistics.mean(world.affinities(group)[i] for i in titles)
        catalogue = statistics.mean(world.affinities(group))
        assert own > catalogue + 0.2, group.name
        for other in TASTE_GROUPS:
            if other != group:
                theirs = statistics.mean(world.affinities(other)[i] for i in titles)
                assert own > theirs + 0.1, (group.name, other.name)


def test_stars_follow_affinity(world: DemoWorld) -> None:
    pairs = []
    for index, group in enumerate(world.profile_groups):
        scores = world.affinities(group)
        pairs += [(scores[v.title_index], v.stars) for v in profile_viewings(world, index)]
    median = statistics.median(score for score, _stars in pairs)
    liked = statistics.mean(stars for score, stars in pairs if score >= median)
    others = statistics.mean(stars for score, stars in pairs if score < median)
    assert liked > others + 0.5
    assert {stars for _score, stars in pairs} == {1, 2, 3, 4, 5}
    assert 3.0 < statistics.mean(stars for _score, stars in pairs) < 4.2


def test_viewings_are_repeatable_and_never_repeat_a_title(world: DemoWorld) -> None:
    first = list(profile_viewings(world, 3))
    assert first == list(profile_viewings(world, 3))
    indices = [viewing.title_index for viewing in first]
    assert len(set(indices)) == len(indices) >= 3


def test_viewings_respect_the_profiles_maturity_limit(world: DemoWorld) -> None:
    limited = [i for i, p in enumerate(world.profiles) if p.max_maturity_age < 18]
    assert limited
    for index in limited:
        limit = world.profiles[index].max_maturity_age
        for viewing in profile_viewings(world, index):
            rating = world.titles[viewing.title_index].maturity_rating
            assert MINIMUM_AGE[rating] <= limit
