"""Marquee's recommendation engine, free of Django.

Everything here takes arrays or plain tuples and returns frozen dataclasses, so it can be
trained, evaluated and benchmarked without a database, and the Django glue only has to turn
rows into :class:`~recommendations.core.signals.ProfileFeedback`. Only numpy, scipy and
Surprise are imported; ``tests/recommendations/core/test_boundary.py`` keeps it so.

Modules:

- :mod:`.signals`: feedback -> explicit ratings (1-5) and implicit confidence weights.
- :mod:`.train`: Surprise SVD for ratings, PureSVD or EASE for ranking -> :class:`TrainedModel`.
- :mod:`.artifact`: one ``.npz`` with JSON metadata; loading never unpickles.
- :mod:`.fold_in`: a profile's state from its current feedback, without retraining.
- :mod:`.score`: whole-catalogue scores, exclusion masks, top-N, blend, match %.
- :mod:`.similar`: item neighbours from item factors and content, computed in blocks.
- :mod:`.metrics`: RMSE, MAE, Precision/Recall/NDCG@k, coverage and novelty, as pure functions.
- :mod:`.scorers`: every item's score for a batch of users: baselines, rankers, the blend.
- :mod:`.holdout`: the per-user hold-out split, and scoring ratings and rankings on it.
- :mod:`.evaluate`: the evaluation protocol with its baselines and the blend weight search.
"""
