"""Train stage 2's head (logistic regression on frozen sentence vectors) and write its JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.extraction import stage2
from claims.management.commands.train_checkworthiness import default_data_dir


class Command(BaseCommand):
    help = (
        "Train stage 2's head on ClaimBuster crowdsourced.csv (CC BY 4.0) over frozen "
        f"{stage2.ENCODER_NAME} vectors stacked with out-of-fold stage-1 logits: "
        f"{stage2.SEEDS} small networks averaged, their penalty chosen across held-out debates "
        "of groundtruth.csv (or a logistic regression with --logistic), and write the head as "
        "JSON. Runs only where stage 2 is installed (make stage2) and scikit-learn is "
        "(requirements-dev.txt); encoding 22,500 sentences takes about ten minutes on 2 cores, "
        "fitting the networks about as long."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data", type=Path, default=None, help="folder with the two ClaimBuster files"
        )
        parser.add_argument("--out", type=Path, default=stage2.DEFAULT_HEAD, help="head file")
        parser.add_argument(
            "--sample",
            type=int,
            default=None,
            help="train on this many training sentences (a fixed shuffle), not all",
        )
        parser.add_argument(
            "--hand-features",
            action="store_true",
            help="append stage 1's hand features to the sentence vectors",
        )
        parser.add_argument(
            "--logistic",
            action="store_true",
            help="a logistic-regression head (C chosen on groundtruth.csv), as head v2 was",
        )
        parser.add_argument(
            "--seeds", type=int, default=stage2.SEEDS, help="networks averaged (network head)"
        )
        parser.add_argument(
            "--no-stage1",
            action="store_true",
            help="do not stack the head on stage 1's score (vectors alone, as head v1 did)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir: Path = options["data"] or default_data_dir()
        for name in ("crowdsourced.csv", "groundtruth.csv"):
            if not (data_dir / name).is_file():
                raise CommandError(f"{data_dir}/{name} not found; pass --data PATH.")
        if not all(stage2.module_present(name) for name in stage2.REQUIRED_MODULES):
            raise CommandError("stage 2 is not installed here: make stage2")
        try:
            report = stage2.train(
                data_dir,
                out=options["out"],
                network=not options["logistic"],
                seeds=options["seeds"],
                hand=options["hand_features"],
                stage1=not options["no_stage1"],
                sample=options["sample"],
                log=self.stdout.write,
            )
        except ImportError as error:
            raise CommandError(
                f"training needs scikit-learn and numpy ({error.name} is missing): "
                "pip install -r requirements-dev.txt"
            ) from error
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"training failed: {error}") from error
        setting = "alpha" if report.head == "network" else "C"
        self.stdout.write(
            f"{report.head.capitalize()} head, chose {setting}={report.setting:g}; "
            f"threshold {report.threshold:.3f} (F1-best across held-out "
            f"debates, where F1 is {report.held_out_f1:.3f}).\n"
            f"Development split: P {report.dev_precision:.3f} R {report.dev_recall:.3f} "
            f"F1 {report.dev_f1:.3f}, AP {report.dev_average_precision:.3f}.\n"
            f"Encoded {report.sentences_per_second:.0f} sentences/s; wrote {report.path}."
        )
