"""A synthetic catalogue and its viewers for bench/home.py, generated with numpy.

    world = world_build(scale=1.0, seed=0, now=time.time())  # 50k titles, 100k profiles
    ids = world_load(world, connection)        # bench/synthetic_load.py: PostgreSQL, COPY
    data = training_data(world, ids, ...)      # bench/synthetic_training.py: as the engine reads

The world has structure for the models to find: every title belongs to one of `CLUSTERS`
taste clusters, which decides most of its genres, tags and people; every profile has a
primary and a secondary cluster and draws most of what it watches from them. Popularity is
skewed (Zipf, exponent 1, over a random order of the titles). Ratings follow the profile's
affinity plus the title's quality plus noise, and finishing a title is likelier the better
the profile would rate it.

Signals are title-level watch progress rows (finished, in progress, abandoned) and star
ratings of about two thirds of them; some profiles also get My List entries (on top of the
signal count). There are no episode-level progress rows, no thumbs, no "not interested",
no private viewing and no kids profiles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TITLES = 50_000
PROFILES = 100_000
SIGNALS = 10_000_000
PROFILES_PER_ACCOUNT = 5
CLUSTERS = 24
RATED_SHARE = 0.67  # ratings per watched title: 6M progress rows + 4M ratings at full scale
DAY = 86_400.0

GENRES = [
    "Action", "Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Family",
    "Fantasy", "History", "Horror", "Music", "Mystery", "Romance", "Science Fiction",
    "Thriller", "War", "Western", "Sport", "Biography",
]  # fmt: skip
MATURITY = ["G", "PG", "PG-13", "R", "TV-14", "TV-MA", "NC-17", "NR"]
MATURITY_SHARE = [0.08, 0.14, 0.25, 0.25, 0.1, 0.1, 0.03, 0.05]


def _unique(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct values; numpy 2's hash-based np.unique is ten times slower here."""
    keys = np.sort(keys)
    return keys[np.concatenate([[True], keys[1:] != keys[:-1]])] if keys.size else keys


def _unique_pairs(pairs: np.ndarray, n_second: int) -> np.ndarray:
    keys = _unique(pairs[:, 0].astype(np.int64) * n_second + pairs[:, 1])
    return np.stack([keys // n_second, keys % n_second], 1)


@dataclass
class World:
    """Everything generated, as arrays of indices (0-based; ids are given when loading)."""

    now: float  # Unix seconds; every date is `now` minus a generated age
    # Titles
    cluster: np.ndarray
    is_series: np.ndarray
    year: np.ndarray
    runtime: np.ndarray  # minutes; a series' episode length
    maturity: np.ndarray  # index into MATURITY
    added_days: np.ndarray
    quality: np.ndarray
    weight: np.ndarray  # popularity weight (Zipf)
    title_genres: np.ndarray  # (pairs, 2): title, genre
    title_tags: np.ndarray  # (pairs, 2): title, tag
    n_tags: int
    n_people: int
    credits: np.ndarray  # (rows, 4): title, person, role (0 director, 1 actor), billing
    seasons: np.ndarray  # (rows, 2): title, number
    episodes: np.ndarray  # (rows, 3): season row, number, runtime
    # Profiles: n_profiles with signals, then `new_profiles` without (their own account)
    n_profiles: int
    new_profiles: int
    primary: np.ndarray
    secondary: np.ndarray
    # Watched titles (one title-level progress row each), sorted by (profile, title)
    w_profile: np.ndarray
    w_title: np.ndarray
    w_percent: np.ndarray
    w_completed: np.ndarray
    w_times: np.ndarray
    w_days: np.ndarray  # last watched, days ago
    w_rated: np.ndarray  # bool: also rated
    w_half: np.ndarray  # half stars 1-10 of the rating (where rated)
    # My List
    l_profile: np.ndarray
    l_title: np.ndarray
    l_days: np.ndarray

    @property
    def n_titles(self) -> int:
        return int(self.cluster.size)

    @property
    def n_ratings(self) -> int:
        return int(self.w_rated.sum())


def world_build(*, scale: float, seed: int, now: float, new_profiles: int = 5) -> World:
    """Generate the world: `scale` 1 is 50,000 titles, 100,000 profiles, 10M signals."""
    rng = np.random.default_rng(seed)
    n_titles = max(int(TITLES * scale), 200)
    n_profiles = max(int(PROFILES * scale) // PROFILES_PER_ACCOUNT * PROFILES_PER_ACCOUNT, 50)
    n_watched = int(SIGNALS * scale / (1 + RATED_SHARE))

    cluster = rng.integers(0, CLUSTERS, n_titles)
    is_series = rng.random(n_titles) < 0.15
    year = rng.integers(1950, 2026, n_titles)
    runtime = np.where(is_series, rng.integers(22, 61, n_titles), rng.integers(78, 170, n_titles))
    maturity = rng.choice(len(MATURITY), n_titles, p=MATURITY_SHARE)
    added_days = np.minimum(rng.exponential(700, n_titles), 5000)
    fresh = rng.random(n_titles) < 0.02
    added_days[fresh] = rng.uniform(0, 45, int(fresh.sum()))
    quality = rng.normal(0, 0.4, n_titles)
    rank = rng.permutation(n_titles)
    weight = 1.0 / (rank + 10.0)

    # Genres: one or two of the cluster's two home genres, sometimes one at random.
    home = np.stack([np.arange(CLUSTERS) % len(GENRES), (np.arange(CLUSTERS) * 7 + 3) % 20], 1)
    pairs = [np.stack([np.arange(n_titles), home[cluster, rng.integers(0, 2, n_titles)]], 1)]
    second = np.flatnonzero(rng.random(n_titles) < 0.5)
    pairs.append(np.stack([second, home[cluster[second], 1]], 1))
    third = np.flatnonzero(rng.random(n_titles) < 0.3)
    pairs.append(np.stack([third, rng.integers(0, len(GENRES), third.size)], 1))
    title_genres = _unique_pairs(np.concatenate(pairs), len(GENRES))

    # Tags: four per title, mostly from the cluster's fifteen.
    n_tags = 400
    home_tags = rng.integers(0, n_tags, (CLUSTERS, 15))
    titles4 = np.repeat(np.arange(n_titles), 4)
    from_home = home_tags[cluster[titles4], rng.integers(0, 15, titles4.size)]
    tags = np.where(
        rng.random(titles4.size) < 0.7, from_home, rng.integers(0, n_tags, titles4.size)
    )
    title_tags = _unique_pairs(np.stack([titles4, tags], 1), n_tags)

    # People: a director and four actors per title, mostly from the cluster's own people.
    n_people = max(n_titles * 2 // 5, 50)
    person_cluster = rng.integers(0, CLUSTERS, n_people)
    order = np.argsort(person_cluster, kind="stable")
    starts = np.searchsorted(person_cluster[order], np.arange(CLUSTERS + 1))

    def people_of(titles: np.ndarray) -> np.ndarray:
        c = cluster[titles]
        size = starts[c + 1] - starts[c]
        local = order[starts[c] + (rng.random(titles.size) * size).astype(np.int64)]
        anyone = rng.integers(0, n_people, titles.size)
        return np.where((rng.random(titles.size) < 0.7) & (size > 0), local, anyone)

    directors = np.arange(n_titles)
    actors = np.repeat(np.arange(n_titles), 4)
    zeros = np.zeros(n_titles, dtype=np.int64)
    credits = np.concatenate(
        [
            np.stack([directors, people_of(directors), zeros, zeros], 1),
            np.stack(
                [actors, people_of(actors), zeros.repeat(4) + 1, np.tile(np.arange(4), n_titles)], 1
            ),
        ]
    )
    # One credit per (title, person, role): the best billing wins.
    keys = (credits[:, 0] * n_people + credits[:, 1]) * 2 + credits[:, 2]
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    credits = credits[np.sort(order[np.concatenate([[True], ordered[1:] != ordered[:-1]])])]

    # Series: one to four seasons of six to ten episodes.
    series = np.flatnonzero(is_series)
    n_seasons = np.minimum(rng.geometric(0.45, series.size), 4)
    season_title = np.repeat(series, n_seasons)
    season_number = np.concatenate([np.arange(1, k + 1) for k in n_seasons]) if series.size else []
    seasons = np.stack([season_title, np.asarray(season_number, dtype=np.int64)], 1)
    n_episodes = rng.integers(6, 11, len(seasons))
    episode_season = np.repeat(np.arange(len(seasons)), n_episodes)
    episode_number = np.arange(episode_season.size) - np.repeat(
        np.cumsum(n_episodes) - n_episodes, n_episodes
    )
    episode_runtime = np.clip(
        runtime[season_title[episode_season]] + rng.integers(-4, 5, episode_season.size), 1, 999
    )
    episodes = np.stack([episode_season, episode_number + 1, episode_runtime], 1)

    # Profiles and what they watch.
    primary = rng.integers(0, CLUSTERS, n_profiles)
    secondary = (primary + rng.integers(1, CLUSTERS, n_profiles)) % CLUSTERS
    activity = rng.lognormal(0.0, 1.0, n_profiles)
    activity *= n_watched / activity.sum()
    cap = max(n_titles // 5, 10)
    counts = np.clip(np.round(activity).astype(np.int64), 3, cap)
    members = np.argsort(cluster, kind="stable")
    member_starts = np.searchsorted(cluster[members], np.arange(CLUSTERS + 1))
    member_cum = [
        np.cumsum(weight[members[member_starts[k] : member_starts[k + 1]]]) for k in range(CLUSTERS)
    ]
    global_cum = np.cumsum(weight)

    def draw(profiles: np.ndarray) -> np.ndarray:
        """One title per entry of `profiles`: own clusters 55% / 20%, anything 25%."""
        source = rng.random(profiles.size)
        wanted = np.where(source < 0.55, primary[profiles], secondary[profiles])
        wanted[source >= 0.75] = -1
        titles = np.empty(profiles.size, dtype=np.int64)
        anywhere = wanted < 0
        u = rng.random(int(anywhere.sum())) * global_cum[-1]
        titles[anywhere] = np.minimum(np.searchsorted(global_cum, u), n_titles - 1)
        for k in range(CLUSTERS):
            mine = np.flatnonzero(wanted == k)
            cum = member_cum[k]
            if mine.size == 0 or cum.size == 0:
                titles[mine] = rng.integers(0, n_titles, mine.size)
                continue
            at = np.searchsorted(cum, rng.random(mine.size) * cum[-1])
            titles[mine] = members[member_starts[k] + np.minimum(at, cum.size - 1)]
        return titles

    keys = np.empty(0, dtype=np.int64)
    for _round in range(6):
        missing = n_watched - keys.size
        if missing <= 0:
            break
        share = counts / counts.sum()
        extra = np.maximum(np.round(share * missing * 1.15).astype(np.int64), 0)
        profiles = np.repeat(np.arange(n_profiles), extra)
        keys = _unique(np.concatenate([keys, profiles * n_titles + draw(profiles)]))
    if keys.size > n_watched:
        keys = np.sort(rng.choice(keys, n_watched, replace=False))
    w_profile = (keys // n_titles).astype(np.int32)
    w_title = (keys % n_titles).astype(np.int32)
    n = keys.size

    affinity = (cluster[w_title] == primary[w_profile]) | (cluster[w_title] == secondary[w_profile])
    taste = 3.1 + 0.9 * affinity + quality[w_title] + rng.normal(0, 0.6, n)
    w_half = np.clip(np.round(taste * 2), 1, 10).astype(np.int16)
    completed = rng.random(n) < 0.95 / (1 + np.exp(-2.5 * (taste - 2.8)))
    in_progress = ~completed & (rng.random(n) < 0.45)
    abandoned = ~completed & ~in_progress
    percent = np.where(completed, 100.0, 0.0)
    percent[in_progress] = rng.uniform(5, 95, int(in_progress.sum()))
    percent[abandoned] = rng.uniform(1, 24, int(abandoned.sum()))
    times = completed.astype(np.int32)
    rewatched = completed & (rng.random(n) < 0.08)
    times[rewatched] += rng.integers(1, 3, int(rewatched.sum()))
    days = 7 + np.minimum(rng.exponential(200, n), 1500)
    recent = rng.random(n)
    days[recent < 0.08] = rng.uniform(1, 7, int((recent < 0.08).sum()))
    days[recent < 0.02] = rng.uniform(0, 1, int((recent < 0.02).sum()))
    days[in_progress] = rng.uniform(0, 40, int(in_progress.sum()))
    days[abandoned] = 15 + np.minimum(rng.exponential(200, int(abandoned.sum())), 1500)
    chance = np.where(completed, 0.85, np.where(in_progress, 0.15, 0.45))
    chance = np.minimum(chance * RATED_SHARE * n / chance.sum(), 1.0)
    rated = rng.random(n) < chance

    # My List: a third of the profiles keep up to ten titles of their primary cluster.
    listers = np.flatnonzero(rng.random(n_profiles) < 0.35)
    l_profile = np.repeat(listers, rng.integers(1, 11, listers.size))
    lc = primary[l_profile]
    size = member_starts[lc + 1] - member_starts[lc]
    l_title = members[member_starts[lc] + (rng.random(l_profile.size) * size).astype(np.int64)]
    l_keys = _unique(l_profile.astype(np.int64) * n_titles + l_title)
    at = np.minimum(np.searchsorted(keys, l_keys), keys.size - 1)
    l_keys = l_keys[keys[at] != l_keys]  # not what they watched
    return World(
        now=now,
        cluster=cluster,
        is_series=is_series,
        year=year,
        runtime=runtime,
        maturity=maturity,
        added_days=added_days,
        quality=quality,
        weight=weight,
        title_genres=title_genres,
        title_tags=title_tags,
        n_tags=n_tags,
        n_people=n_people,
        credits=credits,
        seasons=seasons,
        episodes=episodes,
        n_profiles=n_profiles,
        new_profiles=new_profiles,
        primary=primary,
        secondary=secondary,
        w_profile=w_profile,
        w_title=w_title,
        w_percent=percent,
        w_completed=completed,
        w_times=times,
        w_days=days,
        w_rated=rated,
        w_half=w_half,
        l_profile=(l_keys // n_titles).astype(np.int32),
        l_title=(l_keys % n_titles).astype(np.int32),
        l_days=rng.uniform(0, 300, l_keys.size),
    )
