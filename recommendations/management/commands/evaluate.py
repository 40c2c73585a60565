"""`manage.py evaluate`: the protocol on the current data, ours beside the baselines."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from recommendations import engine
from recommendations.core import evaluate as core_evaluate
from recommendations.core.train import RankerParams


class Command(BaseCommand):
    help = (
        "Hold out 20% of each profile's ratings (fixed seed), train on the rest and report "
        "RMSE/MAE and Precision/Recall/NDCG@10, coverage and novelty for our ranker, the "
        "blend, MostPopular and SVD-by-predicted-rating. Changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
        parser.add_argument("--seed", type=int, default=0, help="Random state of the split.")

    def handle(self, *args: Any, **options: Any) -> None:
        data = engine.training_data_read()
        seed = options["seed"]
        rankers = {"puresvd": RankerParams(random_state=seed)}
        if data.n_items <= engine.EASE_MAX_ITEMS:
            rankers["ease"] = RankerParams(kind="ease", random_state=seed)
        try:
            report = core_evaluate.run_protocol(
                data,
                rankers=rankers,
                blend_with=engine.default_ranker(n_items=data.n_items).kind,
                random_state=seed,
            )
        except ValueError as exc:
            raise CommandError(f"Cannot evaluate: {exc}") from exc
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "rating": asdict(report.rating),
                        "ranking": {k: asdict(v) for k, v in report.ranking.items()},
                        "counts": report.counts,
                    },
                    indent=2,
                )
            )
            return
        self.stdout.write(
            f"RMSE {report.rating.rmse:.4f}  MAE {report.rating.mae:.4f}  "
            f"({report.rating.n:,} held-out ratings)\n"
        )
        self.stdout.write(
            f"{'model':<14}{'P@10':>8}{'R@10':>8}{'NDCG@10':>9}{'coverage':>10}{'novelty':>9}"
        )
        for name, m in report.ranking.items():
            self.stdout.write(
                f"{name:<14}{m.precision:>8.4f}{m.recall:>8.4f}{m.ndcg:>9.4f}"
                f"{m.coverage:>10.1%}{m.novelty:>9.2f}"
            )
