from __future__ import annotations

import numpy as np
import pytest

from recommendations.core.signals import (
    ProfileFeedback,
    SignalTable,
    TrainingData,
    Viewing,
    build_training_data,
    derive_signals,
)


def ratings_of(feedback: ProfileFeedback, table: SignalTable | None = None) -> dict[int, float]:
    s = derive_signals(feedback, table)
    return dict(zip(s.rated_items.tolist(), s.ratings.tolist(), strict=True))


def weights_of(feedback: ProfileFeedback, table: SignalTable | None = None) -> dict[int, float]:
    s = derive_signals(feedback, table)
    return dict(zip(s.interacted_items.tolist(), s.weights.tolist(), strict=True))


def test_it_keeps_stars_as_given_and_clips_half_a_star_to_one() -> None:
    fb = ProfileFeedback(profile=1, stars=((10, 3.5), (11, 0.5), (12, 5.0)))
    assert ratings_of(fb) == {10: 3.5, 11: 1.0, 12: 5.0}


def test_it_maps_thumbs_down_up_two_up_to_1_4_5() -> None:
    fb = ProfileFeedback(profile=1, thumbs=((10, -1), (11, 1), (12, 2)))
    assert ratings_of(fb) == {10: 1.0, 11: 4.0, 12: 5.0}


def test_it_rejects_an_unknown_thumbs_value() -> None:
    with pytest.raises(ValueError, match="thumbs"):
        derive_signals(ProfileFeedback(profile=1, thumbs=((10, 3),)))


def test_it_derives_ratings_from_watching_and_refusals() -> None:
    fb = ProfileFeedback(
        profile=1,
        viewings=(
            Viewing(10, percent=100, completed=True, times_completed=1),
            Viewing(11, percent=100, completed=True, times_completed=3),
            Viewing(12, percent=8, abandoned=True),
            Viewing(13, percent=40),
        ),
        not_interested=(14,),
    )
    # 13 is still being watched: no rating is derived from it.
    assert ratings_of(fb) == {10: 4.0, 11: 4.5, 12: 2.0, 14: 1.0}


def test_an_explicit_rating_beats_derived_ones() -> None:
    fb = ProfileFeedback(
        profile=1,
        stars=((10, 2.0),),
        thumbs=((11, 2), (10, 2)),
        viewings=(Viewing(10, 100, True, 2), Viewing(11, 5, abandoned=True)),
        not_interested=(11,),
    )
    assert ratings_of(fb) == {10: 2.0, 11: 5.0}


def test_not_interested_beats_having_finished() -> None:
    fb = ProfileFeedback(profile=1, viewings=(Viewing(10, 100, True, 1),), not_interested=(10,))
    assert ratings_of(fb) == {10: 1.0}
    assert weights_of(fb) == {}


def test_it_leaves_out_excluded_titles_and_private_viewings() -> None:
    fb = ProfileFeedback(
        profile=1,
        stars=((10, 5.0),),
        thumbs=((11, 2),),
        viewings=(Viewing(12, 100, True, 1), Viewing(13, 100, True, 1, private=True)),
        my_list=(10, 15),
        not_interested=(16,),
        excluded=frozenset({10, 11, 12, 15, 16}),
    )
    assert ratings_of(fb) == {}
    assert weights_of(fb) == {}


def test_implicit_weights_follow_the_table() -> None:
    t = SignalTable()
    fb = ProfileFeedback(
        profile=1,
        stars=((10, 4.5), (11, 2.0)),
        viewings=(
            Viewing(12, percent=100, completed=True, times_completed=1),
            Viewing(13, percent=100, completed=True, times_completed=9),
            Viewing(14, percent=50),
            Viewing(15, percent=10, abandoned=True),
        ),
        my_list=(16, 10),
        not_interested=(17,),
    )
    assert weights_of(fb) == pytest.approx(
        {
            10: t.weight_rated + t.weight_rated_high + t.weight_my_list,
            12: t.weight_finished + t.weight_watched_share,
            13: t.weight_finished + t.weight_watched_share + t.weight_rewatch * t.rewatch_cap,
            14: t.weight_watched_share * 0.5,
            16: t.weight_my_list,
        }
    )


def test_a_low_rating_cancels_what_watching_said() -> None:
    fb = ProfileFeedback(
        profile=1,
        stars=((10, 1.5), (11, 3.0)),
        thumbs=((12, -1),),
        viewings=(Viewing(10, 100, True, 1), Viewing(12, 100, True, 2)),
        my_list=(12,),
    )
    assert ratings_of(fb) == {10: 1.5, 11: 3.0, 12: 1.0}
    assert weights_of(fb) == {11: SignalTable().weight_rated}


def test_the_table_is_configurable() -> None:
    table = SignalTable(finished=3.5, thumbs_up=3.0, weight_my_list=2.0)
    fb = ProfileFeedback(
        profile=1, thumbs=((10, 1),), viewings=(Viewing(11, 100, True, 1),), my_list=(12,)
    )
    assert ratings_of(fb, table) == {10: 3.0, 11: 3.5}
    assert weights_of(fb, table)[12] == 2.0


def test_it_lays_out_profiles_as_index_triples_with_id_maps() -> None:
    data = build_training_data(
        [
            ProfileFeedback(profile=7, stars=((30, 5.0),), my_list=(40,)),
            ProfileFeedback(profile=3, thumbs=((40, -1),)),
            ProfileFeedback(profile=5),
        ]
    )
    assert data.user_ids.tolist() == [3, 5, 7]
    assert data.item_ids.tolist() == [30, 40]
    ex = data.explicit
    assert sorted(zip(ex.user.tolist(), ex.item.tolist(), ex.value.tolist(), strict=True)) == [
        (0, 1, 1.0),
        (2, 0, 5.0),
    ]
    im = data.implicit
    # The thumbs down of profile 3 is a dislike: no implicit weight.
    assert sorted(zip(im.user.tolist(), im.item.tolist(), strict=True)) == [(2, 0), (2, 1)]


def test_a_catalogue_indexes_untouched_items_and_drops_unknown_ones() -> None:
    data = build_training_data(
        [ProfileFeedback(profile=1, stars=((30, 5.0), (99, 4.0)))], catalogue=[50, 30, 40]
    )
    assert data.item_ids.tolist() == [30, 40, 50]
    assert data.explicit.item.tolist() == [0]


def test_it_rejects_two_profiles_with_one_id() -> None:
    with pytest.raises(ValueError, match="share an id"):
        build_training_data([ProfileFeedback(profile=1), ProfileFeedback(profile=1)])


def test_from_triples_maps_ids_and_rejects_empty_input() -> None:
    data = TrainingData.from_triples([9, 9, 4], [100, 200, 200], [5, 3, 4])
    assert data.user_ids.tolist() == [4, 9]
    assert data.item_ids.tolist() == [100, 200]
    assert data.explicit.user.tolist() == [1, 1, 0]
    np.testing.assert_array_equal(data.implicit.value, [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="No ratings"):
        TrainingData.from_triples([], [], [])
