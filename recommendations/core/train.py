"""Train the two models and export them as plain arrays.

- The **rating model** is Surprise's ``SVD`` (biased matrix factorisation by SGD) fitted on
  explicit ratings. It answers "what would this profile rate it" (match %, stars, re-ranking).
  Its cost is linear in the number of ratings per epoch; Surprise's pure-Cython SGD does about
  a million ratings x 20 epochs in under a minute, so tens of millions of ratings is where
  it stops being a nightly job.
- The **ranking model** is fitted on implicit confidence weights and chooses what to show:

  * :class:`PureSVD` (default): truncated SVD ``X ~ U S V^T`` of the users x items weight
    matrix by ``scipy.sparse.linalg.svds`` (Cremonesi et al. 2010). A profile's scores are
    ``x @ V @ V^T``. Memory is ``items x k`` for V and time grows with the non-zeros of X,
    so it scales to hundreds of thousands of items.
  * :class:`EASE` (optional): the closed form ``B = I - P / diag(P)``, ``P = (X^T X +
    lambda I)^-1`` with a zero diagonal (Steck 2019); scores are ``x @ B``. B is a dense
    items x items matrix and the inverse costs ``items^3``: 20k items is 1.6 GB in float32
    and minutes of inversion, which is where it stops being reasonable.

Every fitted piece is a frozen dataclass of numpy arrays, so :mod:`.artifact` can store it
without pickle and :mod:`.score` can use it without Surprise.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Self

import numpy as np
import numpy.typing as npt
import scipy.linalg
import scipy.sparse as sp
from scipy.sparse.linalg import svds
from surprise import SVD, Trainset

from .signals import Interactions, TrainingData, index_of

__all__ = [
    "EASE",
    "PureSVD",
    "RankerParams",
    "RankingModel",
    "RatingFactors",
    "RatingSVD",
    "SVDParams",
    "TrainedModel",
    "interaction_matrix",
    "train",
]

RankerKind = Literal["puresvd", "ease"]


@dataclass(frozen=True, slots=True)
class SVDParams:
    """Parameters of Surprise's ``SVD``; the defaults are Surprise's, with a fixed seed."""

    n_factors: int = 100
    n_epochs: int = 20
    lr_all: float = 0.005
    reg_all: float = 0.02
    init_std_dev: float = 0.1
    random_state: int = 0


@dataclass(frozen=True, slots=True)
class RankerParams:
    """Which ranking model to fit and how.

    Attributes:
        kind: ``"puresvd"`` (default, scales) or ``"ease"`` (better, up to ~20k items).
        n_factors: PureSVD's rank k.
        ease_lambda: EASE's L2 regularisation.
        random_state: Seed of the starting vector of ``svds``.
    """

    kind: RankerKind = "puresvd"
    n_factors: int = 50
    ease_lambda: float = 500.0
    random_state: int = 0


@dataclass(frozen=True, slots=True, eq=False)
class RatingFactors:
    """A fitted SVD rating model: ``r(u, i) = mu + bu[u] + bi[i] + Q[i] @ P[u]``.

    Users or items without any training rating have zero bias and zero factors, so their
    estimate falls back to ``mu + bi`` (unknown user) or ``mu + bu`` (unknown item).

    Attributes:
        global_mean: mu, the mean training rating.
        user_bias: bu, shape (n_users,).
        item_bias: bi, shape (n_items,).
        P: User factors, shape (n_users, k).
        Q: Item factors, shape (n_items, k).
        rating_scale: Estimates are clipped into this range.
    """

    global_mean: float
    user_bias: npt.NDArray[np.float64]
    item_bias: npt.NDArray[np.float64]
    P: npt.NDArray[np.float64]
    Q: npt.NDArray[np.float64]
    rating_scale: tuple[float, float] = (1.0, 5.0)

    @property
    def n_factors(self) -> int:
        return int(self.Q.shape[1])


@dataclass(frozen=True, slots=True, eq=False)
class RankingModel:
    """A fitted ranking model; :meth:`scores` ranks items for rows of interaction weights.

    Attributes:
        kind: ``"puresvd"`` or ``"ease"``.
        item_factors: PureSVD's V, shape (n_items, k); for EASE an empty (n_items, 0) array.
        singular_values: PureSVD's singular values, descending; empty for EASE.
        weights: EASE's B, shape (n_items, n_items), zero diagonal; ``None`` for PureSVD.
    """

    kind: RankerKind
    item_factors: npt.NDArray[np.float32]
    singular_values: npt.NDArray[np.float64]
    weights: npt.NDArray[np.float32] | None = None

    @property
    def n_items(self) -> int:
        return int(self.item_factors.shape[0])

    def scores(self, interactions: sp.spmatrix | sp.sparray | npt.NDArray[Any]) -> np.ndarray:
        """Score every item for each row of ``interactions``.

        Args:
            interactions: Rows of implicit weights, shape (n_rows, n_items), sparse or dense.

        Returns:
            Dense float32 scores, shape (n_rows, n_items). A row of zeros scores zero.
        """
        if self.kind == "ease":
            assert self.weights is not None
            return np.asarray(interactions @ self.weights, dtype=np.float32)
        projected = np.asarray(interactions @ self.item_factors, dtype=np.float32)
        return projected @ self.item_factors.T


@dataclass(frozen=True, slots=True, eq=False)
class TrainedModel:
    """Everything a serving process needs, as arrays (see :mod:`.artifact` to store it).

    Attributes:
        user_ids: Raw profile id of each user index, ascending.
        item_ids: Raw item id of each item index, ascending.
        rating: The SVD rating model.
        ranker: The ranking model.
        popularity: Number of profiles with a positive implicit weight, per item.
        interactions: The implicit training matrix, CSR (n_users, n_items), float32.
        params: Training parameters, JSON-serialisable.
        counts: Sizes of the training data: users, items, ratings, interactions.
        timings: Seconds per training phase.
    """

    user_ids: npt.NDArray[np.int64]
    item_ids: npt.NDArray[np.int64]
    rating: RatingFactors
    ranker: RankingModel
    popularity: npt.NDArray[np.int64]
    interactions: sp.csr_matrix
    params: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def n_users(self) -> int:
        return int(self.user_ids.shape[0])

    @property
    def n_items(self) -> int:
        return int(self.item_ids.shape[0])

    def item_index(self, raw_ids: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Map raw item ids to indices; ``-1`` for an item the model does not know."""
        return index_of(self.item_ids, raw_ids)

    def user_index(self, raw_ids: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Map raw profile ids to indices; ``-1`` for a profile the model does not know."""
        return index_of(self.user_ids, raw_ids)


def interaction_matrix(data: Interactions, n_users: int, n_items: int) -> sp.csr_matrix:
    """The users x items CSR matrix of ``data`` (float32; duplicate pairs are summed)."""
    return sp.csr_matrix(
        (data.value.astype(np.float32), (data.user, data.item)),
        shape=(n_users, n_items),
        dtype=np.float32,
    )


class RatingSVD:
    """Surprise's ``SVD`` on index triples, exported as :class:`RatingFactors`.

    Surprise's own ``Trainset`` is built straight from the indices (no pandas, no file), and
    nothing but ``fit`` of Surprise is used: scoring is vectorised in :mod:`.score`.

    Args:
        params: Surprise's SVD parameters; :class:`SVDParams` defaults when ``None``.
        rating_scale: The ratings' range; estimates are clipped into it.
    """

    def __init__(
        self, params: SVDParams | None = None, rating_scale: tuple[float, float] = (1.0, 5.0)
    ) -> None:
        self.params = params or SVDParams()
        self.rating_scale = rating_scale
        self.factors: RatingFactors | None = None

    def fit(self, ratings: Interactions, n_users: int, n_items: int) -> Self:
        """Fit on explicit ratings.

        Args:
            ratings: (user index, item index, rating) triples, one per pair.
            n_users: Size of the user index space.
            n_items: Size of the item index space.

        Returns:
            self, with :attr:`factors` set.

        Raises:
            ValueError: When there are no ratings.
        """
        if len(ratings) == 0:
            raise ValueError("No ratings to fit the SVD on.")
        ur: defaultdict[int, list[tuple[int, float]]] = defaultdict(list)
        ir: defaultdict[int, list[tuple[int, float]]] = defaultdict(list)
        for u, i, r in zip(
            ratings.user.tolist(), ratings.item.tolist(), ratings.value.tolist(), strict=True
        ):
            ur[u].append((i, r))
            ir[i].append((u, r))
        # Raw ids are the indices themselves: we keep our own id maps and never call
        # Surprise's predict(), which is the only user of these dicts.
        trainset = Trainset(ur, ir, n_users, n_items, len(ratings), self.rating_scale, {}, {})
        p = self.params
        algo = SVD(
            n_factors=p.n_factors,
            n_epochs=p.n_epochs,
            lr_all=p.lr_all,
            reg_all=p.reg_all,
            init_std_dev=p.init_std_dev,
            random_state=p.random_state,
        )
        algo.fit(trainset)
        bu, bi = np.array(algo.bu, dtype=np.float64), np.array(algo.bi, dtype=np.float64)
        P, Q = np.array(algo.pu, dtype=np.float64), np.array(algo.qi, dtype=np.float64)
        # Rows never touched by SGD still hold their random start: zero them so an unrated
        # item or user falls back to the biases instead of noise.
        item_seen = np.bincount(ratings.item, minlength=n_items) > 0
        user_seen = np.bincount(ratings.user, minlength=n_users) > 0
        Q[~item_seen] = 0.0
        bi[~item_seen] = 0.0
        P[~user_seen] = 0.0
        bu[~user_seen] = 0.0
        self.factors = RatingFactors(
            global_mean=float(trainset.global_mean),
            user_bias=bu,
            item_bias=bi,
            P=P,
            Q=Q,
            rating_scale=self.rating_scale,
        )
        return self


class PureSVD:
    """Truncated SVD of the implicit matrix; item factors V score ``x @ V @ V^T``.

    Scales with the non-zeros of X and ``items x k`` memory: fine for 50k+ items.
    """

    def __init__(self, n_factors: int = 50, random_state: int = 0) -> None:
        self.n_factors = n_factors
        self.random_state = random_state
        self.model: RankingModel | None = None

    def fit(self, X: sp.csr_matrix) -> Self:
        """Fit on the users x items implicit weight matrix.

        Args:
            X: Sparse (n_users, n_items) matrix of confidence weights.

        Returns:
            self, with :attr:`model` set. k is lowered to ``min(X.shape) - 1`` when larger.

        Raises:
            ValueError: When X has no non-zero entry or a dimension below 2.
        """
        if X.nnz == 0 or min(X.shape) < 2:
            raise ValueError("PureSVD needs a non-empty matrix of at least 2 x 2.")
        k = min(self.n_factors, min(X.shape) - 1)
        rng = np.random.default_rng(self.random_state)
        # A seeded starting vector makes ARPACK (and so the artifact) reproducible.
        v0 = rng.uniform(-1.0, 1.0, size=min(X.shape))
        _, s, vt = svds(X.astype(np.float64), k=k, v0=v0)
        order = np.argsort(s)[::-1]
        self.model = RankingModel(
            kind="puresvd",
            item_factors=np.ascontiguousarray(vt[order].T, dtype=np.float32),
            singular_values=s[order].astype(np.float64),
        )
        return self


class EASE:
    """Steck's EASE: ``B = I - P / diag(P)``, ``P = (X^T X + lambda I)^-1``, zero diagonal.

    Dense items x items in memory and cubic time to invert: up to about 20k items.
    """

    def __init__(self, lam: float = 500.0) -> None:
        self.lam = lam
        self.model: RankingModel | None = None

    def fit(self, X: sp.csr_matrix) -> Self:
        """Fit on the users x items implicit weight matrix.

        Args:
            X: Sparse (n_users, n_items) matrix of confidence weights.

        Returns:
            self, with :attr:`model` set.

        Raises:
            ValueError: When X has no non-zero entry or ``lam`` is not positive.
        """
        if X.nnz == 0:
            raise ValueError("EASE needs a non-empty matrix.")
        if self.lam <= 0:
            raise ValueError("EASE's lambda must be positive.")
        Xd = X.astype(np.float64)
        gram = (Xd.T @ Xd).toarray()
        gram[np.diag_indices_from(gram)] += self.lam
        # The Gram matrix plus lambda I is symmetric positive definite: Cholesky halves the
        # cost of a general inverse.
        factor = scipy.linalg.cho_factor(gram, overwrite_a=True, check_finite=False)
        P = scipy.linalg.cho_solve(
            factor, np.eye(gram.shape[0]), overwrite_b=True, check_finite=False
        )
        B = P / (-np.diag(P))
        B[np.diag_indices_from(B)] = 0.0
        n_items = X.shape[1]
        self.model = RankingModel(
            kind="ease",
            item_factors=np.zeros((n_items, 0), dtype=np.float32),
            singular_values=np.zeros(0),
            weights=B.astype(np.float32),
        )
        return self


def train(
    data: TrainingData,
    *,
    svd: SVDParams | None = None,
    ranker: RankerParams | None = None,
    rating: RatingFactors | None = None,
) -> TrainedModel:
    """Fit the rating model and the ranking model on one set of training data.

    Args:
        data: Training data from :func:`~recommendations.core.signals.build_training_data`
            or :meth:`~recommendations.core.signals.TrainingData.from_triples`.
        svd: SVD parameters (defaults of :class:`SVDParams` when ``None``).
        ranker: Ranking model parameters (defaults of :class:`RankerParams` when ``None``).
        rating: An SVD already fitted on this same data, to reuse instead of refitting
            (the evaluation protocol compares several rankers beside one SVD).

    Returns:
        The trained model, with per-phase timings in seconds.

    Raises:
        ValueError: When there are no explicit ratings or no implicit interactions, or the
            ranker kind is unknown.
    """
    svd = svd or SVDParams()
    ranker = ranker or RankerParams()
    timings: dict[str, float] = {}

    if rating is None:
        started = time.perf_counter()
        rating = RatingSVD(svd).fit(data.explicit, data.n_users, data.n_items).factors
        timings["svd"] = time.perf_counter() - started
        assert rating is not None

    started = time.perf_counter()
    X = interaction_matrix(data.implicit, data.n_users, data.n_items)
    if ranker.kind == "puresvd":
        ranking = PureSVD(ranker.n_factors, ranker.random_state).fit(X).model
    elif ranker.kind == "ease":
        ranking = EASE(ranker.ease_lambda).fit(X).model
    else:
        raise ValueError(f"Unknown ranker kind {ranker.kind!r}.")
    timings["ranker"] = time.perf_counter() - started
    assert ranking is not None

    popularity = np.bincount(data.implicit.item[data.implicit.value > 0], minlength=data.n_items)
    return TrainedModel(
        user_ids=data.user_ids,
        item_ids=data.item_ids,
        rating=rating,
        ranker=ranking,
        popularity=popularity.astype(np.int64),
        interactions=X,
        params={"svd": asdict(svd), "ranker": asdict(ranker)},
        counts={
            "users": data.n_users,
            "items": data.n_items,
            "ratings": len(data.explicit),
            "interactions": int(X.nnz),
        },
        timings=timings,
    )
