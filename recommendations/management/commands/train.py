"""`manage.py train`: train, evaluate and gate a new model version."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from recommendations import engine, tasks
from recommendations.core.train import RankerParams, SVDParams
from recommendations.models import ModelVersion

PHASES = ["read", "evaluate", "train", "save", "gate"]


class Command(BaseCommand):
    help = (
        "Train a new recommendation model (Surprise SVD for ratings, a ranking model on "
        "implicit signals), evaluate it against MostPopular and SVD-by-rating on a held-out "
        "split, and activate it if it passes the quality gate. Queued to the worker unless "
        "--sync."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sync", action="store_true", help="Train here and now.")
        parser.add_argument(
            "--if-no-model",
            action="store_true",
            help="Do nothing when a model is already active (used by `make run`).",
        )
        parser.add_argument("--factors", type=int, default=100, help="SVD factors.")
        parser.add_argument("--epochs", type=int, default=20, help="SVD epochs.")
        parser.add_argument("--lr", type=float, default=0.005, help="SVD learning rate.")
        parser.add_argument("--reg", type=float, default=0.02, help="SVD regularisation.")
        parser.add_argument(
            "--ranker",
            choices=["puresvd", "ease"],
            default=None,
            help="Ranking model; by default EASE up to 20,000 titles, PureSVD beyond.",
        )
        parser.add_argument("--ranker-factors", type=int, default=50, help="PureSVD's k.")
        parser.add_argument("--ease-lambda", type=float, default=500.0, help="EASE's λ.")
        parser.add_argument("--seed", type=int, default=0, help="Random state.")

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("factors", "epochs", "ranker_factors"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1.")
        for name in ("lr", "reg", "ease_lambda"):
            if options[name] <= 0:
                raise CommandError(f"--{name.replace('_', '-')} must be positive.")
        if (
            options["if_no_model"]
            and ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE).exists()
        ):
            self.stdout.write("A model is already active: not training (--if-no-model).")
            return
        svd = SVDParams(
            n_factors=options["factors"],
            n_epochs=options["epochs"],
            lr_all=options["lr"],
            reg_all=options["reg"],
            random_state=options["seed"],
        )
        ranker = (
            RankerParams(
                kind=options["ranker"],
                n_factors=options["ranker_factors"],
                ease_lambda=options["ease_lambda"],
                random_state=options["seed"],
            )
            if options["ranker"]
            else None
        )
        if not options["sync"]:
            tasks.train_model.delay(svd=asdict(svd), ranker=asdict(ranker) if ranker else None)
            self.stdout.write("Training queued; the worker will run it (see the admin).")
            return
        with tqdm(total=len(PHASES), unit="phase", disable=options["verbosity"] < 1) as bar:

            def progress(phase: str) -> None:
                bar.set_description(phase)
                bar.update(1)

            try:
                version = engine.model_train(svd=svd, ranker=ranker, progress=progress)
            except ValueError as exc:
                raise CommandError(f"Training failed: {exc}") from exc
        if version is None:
            raise CommandError("Another training is running; try again when it has finished.")
        ours = version.metrics["ranking"]["ours"]
        popular = version.metrics["ranking"]["most_popular"]
        self.stdout.write(
            f"Model {version.pk}: {version.get_status_display().lower()}"
            f"{' — ' + version.gate_reason if version.gate_reason else ''}. "
            f"RMSE {version.metrics['rating']['rmse']:.4f}, NDCG@10 {ours['ndcg']:.4f} "
            f"(MostPopular {popular['ndcg']:.4f}), coverage {ours['coverage']:.1%}."
        )
