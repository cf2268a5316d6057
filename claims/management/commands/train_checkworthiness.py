"""Train the check-worthiness model on ClaimBuster crowdsourced.csv and write its weights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.extraction.scoring import DEFAULT_WEIGHTS


def default_data_dir() -> Path:
    """``../shared/data/checkworthiness/`` relative to the repository root."""
    return Path(settings.BASE_DIR).resolve().parent / "shared" / "data" / "checkworthiness"


class Command(BaseCommand):
    help = (
        "Train the check-worthiness model on crowdsourced.csv (ClaimBuster, CC BY 4.0), tune "
        "it on groundtruth.csv and write the weights as gzip'd JSON. Needs scikit-learn "
        "(requirements-dev.txt)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data",
            type=Path,
            default=None,
            help="folder with crowdsourced.csv and groundtruth.csv",
        )
        parser.add_argument("--out", type=Path, default=DEFAULT_WEIGHTS, help="weights file")

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir: Path = options["data"] or default_data_dir()
        for name in ("crowdsourced.csv", "groundtruth.csv"):
            if not (data_dir / name).is_file():
                raise CommandError(f"{data_dir}/{name} not found; pass --data PATH.")
        try:
            from claims.extraction.training import train

            report = train(data_dir, options["out"])
        except ImportError as error:
            raise CommandError(
                f"training needs scikit-learn and numpy ({error.name} is missing): "
                "pip install -r requirements-dev.txt"
            ) from error
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"training failed: {error}") from error
        dev = report.dev
        self.stdout.write(
            f"Trained on {report.sentences} sentences ({report.positives} check-worthy).\n"
            f"Development average precision by C: {report.dev_table}; chose C={report.c:g}.\n"
            f"Calibrated; default threshold {report.threshold:.2f}: on the development split "
            f"P {dev['precision']:.3f} R {dev['recall']:.3f} F1 {dev['f1']:.3f}, "
            f"AP {dev['average_precision']:.3f}, Brier {dev['brier']:.4f}.\n"
            f"Kept {report.kept_features} n-gram weights; wrote {report.out}."
        )
