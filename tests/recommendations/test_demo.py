"""The demo world generator, without a database."""

from __future__ import annotations

import itertools
import os
import statistics
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from accounts.maturity import KIDS_MAX_AGE
from accounts.models import AvatarColor, Language
from accounts.services import DEMO_PROFILES
from catalog.maturity import MINIMUM_AGE
from catalog.models import MAX_RUNTIME
from recommendations.demo.catalogue import FIRST_YEAR, LAST_YEAR, TitleSpec
from recommendations.demo.histories import (
    ABANDONED,
    DAY,
    DEMO_HOUSEHOLD,
    FINISHED,
    IN_PROGRESS,
    ProfileHistory,
    episode_runtimes,
    household_history,
    profile_history,
    profile_viewings,
    title_added_ago,
)
from recommendations.demo.tastes import GROUP_BY_NAME, TASTE_GROUPS
from recommendations.demo.world import EMAIL_DOMAIN, DemoWorld, affinity, world_build
from recommendations.models import HALF_STARS, Source, WatchEvent

FILM_RATINGS = {"G", "PG", "PG-13", "R", "NC-17"}
SERIES_RATINGS = {"TV-Y", "TV-Y7", "TV-G", "TV-PG", "TV-14", "TV-MA"}
KIDS_RATINGS = {"G", "PG", "TV-Y", "TV-Y7", "TV-G"}


@pytest.fixture(scope="module")
def world() -> DemoWorld:
    return world_build(titles=1500, users=300, seed=42)


@pytest.fixture(scope="module")
def histories(world: DemoWorld) -> list[ProfileHistory]:
    return [profile_history(world, index) for index in range(len(world.profiles))]


def test_the_same_seed_builds_an_equal_world() -> None:
    assert world_build(titles=80, users=20, seed=7) == world_build(titles=80, users=20, seed=7)


def test_the_world_does_not_depend_on_the_hash_seed() -> None:
    # Iterating a set of strings would change with PYTHONHASHSEED, so compare two processes.
    script = (
        "import hashlib, django; django.setup();"
        "from recommendations.demo.world import world_build;"
        "from recommendations.demo.histories import profile_history, household_history;"
        "w = world_build(titles=60, users=10, seed=3);"
        "h = [profile_history(w, i) for i in range(len(w.profiles))];"
        "h.append(household_history(w, name='Kids', max_maturity_age=12));"
        "print(hashlib.sha256(repr((w, h)).encode()).hexdigest())"
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


def test_a_series_never_repeats_an_episode_name(world: DemoWorld) -> None:
    longest = 0
    for title in world.titles:
        names = [episode.name for season in title.seasons for episode in season.episodes]
        assert len(names) == len(set(names)), (title.name, names)
        longest = max(longest, len(names))
    assert longest >= 40  # long series are in the world: the names did not run out


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
    world: DemoWorld, histories: list[ProfileHistory]
) -> None:
    watched: dict[str, list[int]] = {group.name: [] for group in TASTE_GROUPS}
    for history, group in zip(histories, world.profile_groups, strict=True):
        watched[group.name] += [v.title_index for v in history.viewings]
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


def test_stars_follow_affinity(world: DemoWorld, histories: list[ProfileHistory]) -> None:
    pairs = []
    for history, group in zip(histories, world.profile_groups, strict=True):
        scores = world.affinities(group)
        pairs += [(scores[r.title_index], r.stars) for r in history.ratings]
    median = statistics.median(score for score, _stars in pairs)
    liked = statistics.mean(stars for score, stars in pairs if score >= median)
    others = statistics.mean(stars for score, stars in pairs if score < median)
    assert liked > others + Decimal("0.5")
    stars = Counter(stars for _score, stars in pairs)
    assert set(stars) == set(HALF_STARS)
    # Mostly whole stars, as people rate; halves are a minority.
    assert 0.1 < sum(n for s, n in stars.items() if s % 1) / len(pairs) < 0.4
    assert 3.0 < statistics.mean(float(stars) for _score, stars in pairs) < 4.2


def test_viewings_are_repeatable_and_never_repeat_a_title(world: DemoWorld) -> None:
    first = list(profile_viewings(world, 3))
    assert first == list(profile_viewings(world, 3))
    indices = [viewing.title_index for viewing in first]
    assert len(set(indices)) == len(indices) >= 3


# --------------------------------------------------------------------------------------
# Histories
# --------------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_histories(world: DemoWorld) -> None:
    again = world_build(titles=1500, users=300, seed=42)

    for index in (0, 7, 123):
        assert profile_history(again, index) == profile_history(world, index)
    assert household_history(again, name="Ana", max_maturity_age=18) == household_history(
        world, name="Ana", max_maturity_age=18
    )
    assert profile_history(world, 0) != profile_history(world, 1)


def test_more_users_leave_earlier_histories_alone() -> None:
    few = world_build(titles=200, users=3, seed=5)
    many = world_build(titles=200, users=30, seed=5)

    assert [profile_history(few, i) for i in range(len(few.profiles))] == [
        profile_history(many, i) for i in range(len(few.profiles))
    ]


def test_another_seed_gives_other_histories() -> None:
    one = world_build(titles=200, users=3, seed=1)
    two = world_build(titles=200, users=3, seed=2)

    assert profile_history(one, 0) != profile_history(two, 0)


def test_histories_fit_the_signal_constraints(
    world: DemoWorld, histories: list[ProfileHistory]
) -> None:
    for history in histories:
        watched = [viewing.title_index for viewing in history.viewings]
        rated = [rating.title_index for rating in history.ratings]
        listed = [mark.title_index for mark in history.my_list]
        refused = [mark.title_index for mark in history.not_interested]
        for indices in (watched, rated, listed, refused):
            assert len(set(indices)) == len(indices)
        # Nothing watched is on My List or refused, and nothing saved is refused.
        assert not set(watched) & set(listed)
        assert not (set(watched) | set(listed) | set(rated)) & set(refused)
        starts = [viewing.progress[0].started_ago for viewing in history.viewings]
        assert starts == sorted(starts, reverse=True)
        for rating in history.ratings:
            assert rating.stars in HALF_STARS
            assert rating.source in (Source.SITE, Source.IMPORT)
            assert 0 <= rating.rated_ago <= title_added_ago(world, rating.title_index)
        for mark in history.my_list + history.not_interested:
            assert 0 <= mark.ago <= title_added_ago(world, mark.title_index)
        finished = {v.title_index for v in history.viewings if v.outcome == FINISHED}
        assert {r.title_index for r in history.ratings if r.watched} <= finished
        assert not {r.title_index for r in history.ratings if not r.watched} & set(watched)
        for viewing in history.viewings:
            for row in viewing.progress:
                assert row.runtime_seconds >= 1
                assert 0 <= row.percent <= 100
                assert 0 <= row.last_position <= row.runtime_seconds
                assert 0 <= row.furthest_position <= row.runtime_seconds
                assert row.seconds_watched >= 1
                assert row.last_event_kind in WatchEvent.Kind.values
                assert 0 <= row.last_watched_ago <= row.started_ago
                # Nobody watches a title before it is added to the catalogue.
                assert row.started_ago < title_added_ago(world, viewing.title_index)
                assert row.completed == (row.completed_ago is not None)
                if row.completed:
                    assert row.last_watched_ago <= row.completed_ago <= row.started_ago


def test_series_rows_follow_the_episodes_in_order(
    world: DemoWorld, histories: list[ProfileHistory]
) -> None:
    checked = Counter()
    for history in histories:
        for viewing in history.viewings:
            title = world.titles[viewing.title_index]
            top, *episodes = viewing.progress
            assert top.episode is None
            if not title.seasons:
                assert episodes == []
                assert top.runtime_seconds == title.runtime_minutes * 60
                continue
            runtimes = episode_runtimes(title)
            assert [row.episode for row in episodes] == list(range(len(episodes)))
            assert [row.runtime_seconds for row in episodes] == runtimes[: len(episodes)]
            assert top.runtime_seconds == sum(runtimes)
            assert top.current_episode == episodes[-1].episode
            assert top.seconds_watched == sum(row.seconds_watched for row in episodes)
            # The resume point, as the player leaves it: not in an episode's end credits.
            assert episodes[-1].completed or episodes[-1].last_position < (
                0.9 * episodes[-1].runtime_seconds
            )
            if not top.completed:
                before = sum(row.runtime_seconds for row in episodes[:-1])
                reached = before + episodes[-1].last_position
                assert top.percent == round(100 * reached / top.runtime_seconds, 2)
            # Every episode before the current one was finished.
            assert all(row.completed for row in episodes[:-1])
            final_done = len(episodes) == len(runtimes) and episodes[-1].completed
            assert top.completed == final_done
            assert top.started_ago == episodes[0].started_ago
            assert top.last_watched_ago == episodes[-1].last_watched_ago
            checked[viewing.outcome] += 1
    assert min(checked[outcome] for outcome in (FINISHED, ABANDONED, IN_PROGRESS)) > 10


def test_histories_show_every_kind_of_viewing(
    world: DemoWorld, histories: list[ProfileHistory]
) -> None:
    viewings = [viewing for history in histories for viewing in history.viewings]
    outcomes = Counter(viewing.outcome for viewing in viewings)
    assert outcomes[FINISHED] > 5 * outcomes[ABANDONED] > 0
    assert outcomes[IN_PROGRESS] > 0
    for viewing in viewings:
        top = viewing.progress[0]
        if viewing.outcome == FINISHED:
            assert top.completed
            assert 1 <= top.times_completed <= 3
            if not world.titles[viewing.title_index].seasons:
                # About the runtime per viewing: rewinds add a little, credits are skipped.
                per_viewing = top.seconds_watched / top.times_completed
                assert 0.9 * top.runtime_seconds <= per_viewing <= 1.03 * top.runtime_seconds
        elif viewing.outcome == ABANDONED:
            assert not top.completed
            assert top.percent < 25
            assert top.last_watched_ago > 14 * DAY
        else:
            # "Continue watching": recent, and 30–80 % into the film or current episode.
            assert not top.completed
            assert top.last_watched_ago < 7 * DAY
            assert 30 <= viewing.progress[-1].percent <= 80
    times = Counter(viewing.times_completed for viewing in viewings)
    assert times[2] > times[3] > 0
    finished = outcomes[FINISHED]
    rated = sum(rating.watched for history in histories for rating in history.ratings)
    assert 0.5 < rated / finished < 0.7
    elsewhere = Counter(
        rating.source for history in histories for rating in history.ratings if not rating.watched
    )
    assert elsewhere[Source.IMPORT] > 0
    assert elsewhere[Source.SITE] > 0
    assert sum(len(history.my_list) for history in histories) > len(histories)
    assert sum(len(history.not_interested) for history in histories) > len(histories) / 2


def test_likes_are_rewatched_and_dislikes_abandoned(
    world: DemoWorld, histories: list[ProfileHistory]
) -> None:
    finished: list[tuple[float, bool]] = []
    ended: list[tuple[float, bool]] = []
    for history, group in zip(histories, world.profile_groups, strict=True):
        scores = world.affinities(group)
        for viewing in history.viewings:
            score = scores[viewing.title_index]
            if viewing.outcome == FINISHED:
                finished.append((score, viewing.times_completed > 1))
            if viewing.outcome != IN_PROGRESS:
                ended.append((score, viewing.outcome == ABANDONED))

    def share(pairs: list[tuple[float, bool]]) -> float:
        return sum(flag for _score, flag in pairs) / len(pairs)

    assert share([p for p in finished if p[0] >= 0.7]) > 2 * share(
        [p for p in finished if p[0] < 0.5]
    )
    assert share([p for p in ended if p[0] < 0.4]) > 3 * share([p for p in ended if p[0] >= 0.6])


def test_my_list_holds_favourites_and_refusals_the_opposite(
    world: DemoWorld, histories: list[ProfileHistory]
) -> None:
    listed, refused, watched = [], [], []
    for history, group in zip(histories, world.profile_groups, strict=True):
        scores = world.affinities(group)
        listed += [scores[mark.title_index] for mark in history.my_list]
        refused += [scores[mark.title_index] for mark in history.not_interested]
        watched += [scores[viewing.title_index] for viewing in history.viewings]
    assert statistics.mean(listed) > statistics.mean(watched) > 0.5
    assert statistics.mean(refused) < 0.15


def test_each_group_rates_its_favourites_clearly_higher(
    world: DemoWorld, histories: list[ProfileHistory]
) -> None:
    for group in TASTE_GROUPS:
        scores = world.affinities(group)
        high: list[float] = []
        low: list[float] = []
        for history, profile_group in zip(histories, world.profile_groups, strict=True):
            if profile_group != group:
                continue
            for rating in history.ratings:
                score = scores[rating.title_index]
                if score >= 0.6:
                    high.append(float(rating.stars))
                elif score < 0.4:
                    low.append(float(rating.stars))
        assert len(high) > 100, group.name
        assert len(low) > 20, group.name
        assert statistics.mean(high) > statistics.mean(low) + 1.5, group.name


def test_profiles_of_a_group_like_the_same_titles(
    world: DemoWorld, histories: list[ProfileHistory]
) -> None:
    # What a neighbourhood recommender exploits: two profiles of one group have far more
    # liked titles (4 stars or more) in common than two profiles of different groups.
    liked = [{r.title_index for r in history.ratings if r.stars >= 4} for history in histories]
    same: list[int] = []
    other: list[int] = []
    for one, two in itertools.combinations(range(len(histories)), 2):
        shared = len(liked[one] & liked[two])
        if world.profile_groups[one] == world.profile_groups[two]:
            same.append(shared)
        else:
            other.append(shared)
    assert statistics.mean(same) > 10 * statistics.mean(other)
    assert statistics.mean(same) > 1


def test_histories_respect_the_maturity_limit(
    world: DemoWorld, histories: list[ProfileHistory]
) -> None:
    limited = [i for i, p in enumerate(world.profiles) if p.max_maturity_age < 18]
    assert limited
    for index in limited:
        history = histories[index]
        limit = world.profiles[index].max_maturity_age
        indices = (
            [viewing.title_index for viewing in history.viewings]
            + [rating.title_index for rating in history.ratings]
            + [mark.title_index for mark in history.my_list + history.not_interested]
        )
        assert indices
        for title_index in indices:
            assert MINIMUM_AGE[world.titles[title_index].maturity_rating] <= limit


def test_the_demo_household_has_three_different_tastes(world: DemoWorld) -> None:
    assert set(DEMO_HOUSEHOLD) == {name for name, _is_kids in DEMO_PROFILES}
    groups = [group for group, _size in DEMO_HOUSEHOLD.values()]
    assert len(set(groups)) == 3
    assert DEMO_HOUSEHOLD["Kids"][0] == "family-night"
    for name, (_group, size) in DEMO_HOUSEHOLD.items():
        limit = KIDS_MAX_AGE if name == "Kids" else 18
        history = household_history(world, name=name, max_maturity_age=limit)
        assert len(history.viewings) == size.viewings
        outcomes = Counter(viewing.outcome for viewing in history.viewings)
        assert outcomes[IN_PROGRESS] == size.in_progress
        assert len(history.my_list) == size.my_list
        assert len(history.not_interested) == size.not_interested
        assert history.ratings
        for viewing in history.viewings:
            assert MINIMUM_AGE[world.titles[viewing.title_index].maturity_rating] <= limit
    kids = household_history(world, name="Kids", max_maturity_age=KIDS_MAX_AGE)
    gentle = sum(
        bool({"Animation", "Family"} & set(world.titles[viewing.title_index].genres))
        for viewing in kids.viewings
    )
    assert gentle > len(kids.viewings) / 2


def test_a_tiny_catalogue_still_gives_histories() -> None:
    world = world_build(titles=3, users=4, seed=2)

    for index in range(len(world.profiles)):
        history = profile_history(world, index)
        assert len(history.viewings) <= 3
