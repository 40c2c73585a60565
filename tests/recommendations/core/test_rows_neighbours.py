"""``neighbours_of``, ``unit_rows`` and ``theme_vectors``: neighbours by embedding,
content and theme."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recommendations.core.rows import neighbours_of, neighbours_of_each, theme_vectors, unit_rows
from recommendations.core.similar import content_matrix, similar_items

from .rows_helpers import features_of

# --------------------------------------------------------------------------------------
# neighbours_of and unit_rows
# --------------------------------------------------------------------------------------

FACTORS = np.array(
    [
        [1.0, 0.0],
        [0.9, 0.1],
        [0.0, 1.0],
        [0.1, 0.9],
        [0.0, 0.0],  # nobody has watched it yet
        [-1.0, 0.2],
    ]
)
CONTENT = content_matrix(
    [["g:drama"], ["g:drama", "t:heist"], ["g:scifi"], ["g:scifi", "t:heist"], ["g:drama"], []]
)


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return float(a @ b / (na * nb)) if na > 0 and nb > 0 else 0.0


def test_unit_rows_scale_to_length_one_and_mark_zero_rows() -> None:
    unit, has_vector = unit_rows(FACTORS)
    assert has_vector.tolist() == [True, True, True, True, False, True]
    np.testing.assert_allclose(np.linalg.norm(unit[has_vector], axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(unit[4], 0.0)
    assert unit.dtype == np.float32


def test_unit_rows_treat_a_numerically_zero_row_as_no_vector() -> None:
    vectors = np.array([[3.0, 4.0], [1e-9, 0.0], [0.0, 0.0]])
    unit, has_vector = unit_rows(vectors)
    assert has_vector.tolist() == [True, False, False]
    np.testing.assert_allclose(unit[0], [0.6, 0.8], rtol=1e-6)


@pytest.mark.parametrize(
    "vectors",
    [np.zeros((3, 2)), np.zeros((3, 0)), np.zeros((0, 4))],
    ids=["all-zero", "no-dimensions (EASE)", "no-rows"],
)
def test_unit_rows_without_any_vector(vectors: np.ndarray) -> None:
    unit, has_vector = unit_rows(vectors)
    assert unit.shape == vectors.shape
    assert has_vector.shape == (vectors.shape[0],)
    assert not has_vector.any()


@pytest.mark.parametrize("anchor", range(6))
def test_with_embeddings_only_neighbours_are_the_cosine(anchor: int) -> None:
    unit, has_vector = unit_rows(FACTORS)
    sims = neighbours_of(anchor, unit=unit, has_vector=has_vector, content=None)
    assert sims[anchor] == -np.inf
    others = [i for i in range(6) if i != anchor]
    expected = [_cosine(FACTORS[anchor], FACTORS[i]) for i in others]
    np.testing.assert_allclose(sims[others], expected, atol=1e-6)


@pytest.mark.parametrize("anchor", range(6))
def test_with_content_only_neighbours_are_the_content_cosine(anchor: int) -> None:
    sims = neighbours_of(anchor, unit=None, has_vector=None, content=CONTENT)
    assert sims[anchor] == -np.inf
    dense = CONTENT.toarray()
    others = [i for i in range(6) if i != anchor]
    np.testing.assert_allclose(sims[others], dense[others] @ dense[anchor], atol=1e-6)
    assert sims.dtype == np.float32


@pytest.mark.parametrize("cf_weight", [0.0, 0.3, 0.7, 1.0])
def test_both_sources_blend_by_cf_weight(cf_weight: float) -> None:
    unit, has_vector = unit_rows(FACTORS)
    dense = CONTENT.toarray()
    anchor = 1
    sims = neighbours_of(
        anchor, unit=unit, has_vector=has_vector, content=CONTENT, cf_weight=cf_weight
    )
    others = [i for i in range(6) if i != anchor]
    cf = np.array([_cosine(FACTORS[anchor], FACTORS[i]) for i in others])
    text = dense[others] @ dense[anchor]
    np.testing.assert_allclose(sims[others], cf_weight * cf + (1 - cf_weight) * text, atol=1e-6)
    # A candidate nobody watched only scores its content share.
    assert sims[4] == pytest.approx((1 - cf_weight) * float(dense[4] @ dense[anchor]), abs=1e-6)


def test_an_anchor_without_an_embedding_uses_content_at_full_weight() -> None:
    unit, has_vector = unit_rows(FACTORS)
    dense = CONTENT.toarray()
    sims = neighbours_of(4, unit=unit, has_vector=has_vector, content=CONTENT, cf_weight=0.7)
    others = [0, 1, 2, 3, 5]
    np.testing.assert_allclose(sims[others], dense[others] @ dense[4], atol=1e-6)
    assert sims[0] == pytest.approx(1.0, rel=1e-6)  # same single genre: content alone says 1


def test_an_anchor_without_an_embedding_and_no_content_has_no_neighbours() -> None:
    unit, has_vector = unit_rows(FACTORS)
    sims = neighbours_of(4, unit=unit, has_vector=has_vector, content=None)
    assert sims[4] == -np.inf
    np.testing.assert_array_equal(np.delete(sims, 4), 0.0)


def test_neighbours_of_agrees_with_similar_items() -> None:
    rng = np.random.default_rng(7)
    factors = rng.normal(size=(30, 4))
    factors[[3, 11]] = 0.0  # two titles without feedback
    content = content_matrix([[f"g{i % 3}", f"t{i % 5}"] for i in range(30)])
    unit, has_vector = unit_rows(factors)
    reference = similar_items(item_factors=factors, content=content, k=5, cf_weight=0.6)
    for anchor in range(30):
        sims = neighbours_of(
            anchor, unit=unit, has_vector=has_vector, content=content, cf_weight=0.6
        )
        found = reference.indices[anchor] >= 0
        np.testing.assert_allclose(
            sims[reference.indices[anchor][found]], reference.scores[anchor][found], rtol=1e-5
        )
        assert sims.max() == pytest.approx(float(reference.scores[anchor, 0]), rel=1e-5)


def test_neighbours_of_needs_embeddings_or_content() -> None:
    with pytest.raises(ValueError, match="Give embeddings, content, or both"):
        neighbours_of(0, unit=None, has_vector=None, content=None)


# --------------------------------------------------------------------------------------
# theme_vectors and neighbours by theme
# --------------------------------------------------------------------------------------


def test_theme_vectors_are_idf_weighted_unit_rows_of_genres_and_tags() -> None:
    # Five titles: genre 0 (Drama) on four, genre 1 (Western) on two; tag 0 on titles 1, 2.
    genres = features_of([[0, 1, 2, 3], [3, 4]], 5)
    tags = features_of([[1, 2]], 5)
    themes = theme_vectors(genres, tags).toarray()
    idf = np.log(6 / np.array([5, 3, 3])) + 1
    expected = np.array([[1, 0, 0], [1, 0, 1], [1, 0, 1], [1, 1, 0], [0, 1, 0]]) * idf
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(themes, expected, rtol=1e-6)
    assert themes.dtype == np.float32


def test_a_rare_genre_makes_two_titles_more_alike_than_a_common_one() -> None:
    # Titles 0, 1 share Drama (on 8 of 10); titles 2, 3 share Western (on 2 of 10); each
    # title also has a tag of its own.
    genres = features_of([[0, 1, 4, 5, 6, 7, 8, 9], [2, 3]], 10)
    tags = features_of([[t] for t in range(10)], 10)
    themes = theme_vectors(genres, tags)
    cosine = (themes @ themes.T).toarray()
    assert cosine[2, 3] > cosine[0, 1] > 0


def test_a_title_without_genres_or_tags_has_a_zero_theme_row() -> None:
    themes = theme_vectors(features_of([[0]], 2), features_of([[0]], 2)).toarray()
    np.testing.assert_array_equal(themes[1], 0.0)


def test_theme_vectors_need_matrices_of_the_same_titles() -> None:
    with pytest.raises(ValueError, match="same titles"):
        theme_vectors()
    with pytest.raises(ValueError, match="same titles"):
        theme_vectors(features_of([[0]], 2), features_of([[0]], 3))


THEMES = theme_vectors(features_of([[0, 1, 4], [2, 3], [5]], 6))


@pytest.mark.parametrize("theme_weight", [0.0, 0.5, 1.0])
def test_themes_take_their_weight_of_the_similarity(theme_weight: float) -> None:
    unit, has_vector = unit_rows(FACTORS)
    for anchor in range(6):
        plain = neighbours_of(anchor, unit=unit, has_vector=has_vector, content=CONTENT)
        themed = neighbours_of(
            anchor,
            unit=unit,
            has_vector=has_vector,
            content=CONTENT,
            themes=THEMES,
            theme_weight=theme_weight,
        )
        about = (THEMES @ THEMES[anchor].T).toarray().ravel()
        others = [i for i in range(6) if i != anchor]
        np.testing.assert_allclose(
            themed[others],
            (1 - theme_weight) * plain[others] + theme_weight * about[others],
            atol=1e-6,
        )
        assert themed[anchor] == -np.inf


def test_with_themes_the_anchors_genre_leads_neighbours_that_factors_scatter() -> None:
    # 40 titles, a rare genre on 0-7; factors are noise (learned from a handful of viewers)
    # and content is one person per title: alone they find no genre.
    rng = np.random.default_rng(3)
    n, western = 40, list(range(8))
    genres = features_of([western, list(range(8, 40))], n)
    unit, has_vector = unit_rows(rng.normal(size=(n, 6)))
    content = content_matrix([[f"p{i}", f"p{(i * 7) % n}"] for i in range(n)])

    def westerns_among_top(themes: sp.csr_matrix | None) -> int:
        sims = neighbours_of(0, unit=unit, has_vector=has_vector, content=content, themes=themes)
        return len(set(np.argsort(-sims, kind="stable")[:7].tolist()) & set(western))

    assert westerns_among_top(theme_vectors(genres)) == 7
    assert westerns_among_top(None) < 7


@pytest.mark.parametrize("themes", [None, THEMES])
def test_neighbours_of_each_anchor_are_its_own_neighbours(themes: sp.csr_matrix | None) -> None:
    unit, has_vector = unit_rows(FACTORS)
    anchors = [4, 0, 5, 4]  # one without an embedding, and one twice
    each = neighbours_of_each(
        anchors, unit=unit, has_vector=has_vector, content=CONTENT, themes=themes
    )
    assert each.shape == (4, 6)
    for row, anchor in zip(each, anchors, strict=True):
        one = neighbours_of(
            anchor, unit=unit, has_vector=has_vector, content=CONTENT, themes=themes
        )
        np.testing.assert_allclose(row, one, atol=1e-6)
        assert row[anchor] == -np.inf


def test_themes_for_another_number_of_titles_are_refused() -> None:
    unit, has_vector = unit_rows(FACTORS)
    with pytest.raises(ValueError, match="another number of titles"):
        neighbours_of(
            0,
            unit=unit,
            has_vector=has_vector,
            content=None,
            themes=theme_vectors(features_of([[0]], 3)),
        )
