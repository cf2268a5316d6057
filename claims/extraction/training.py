"""Train the check-worthiness model on ClaimBuster ``crowdsourced.csv`` (training only).

scikit-learn and numpy are imported lazily, inside ``train``: the runtime scorer never needs
them. Steps:
1. read ``crowdsourced.csv`` (``Verdict == 1`` is check-worthy) and compute the same features
   the scorer computes (``claims.extraction.features``);
2. fit a multinomial logistic regression on the three ClaimBuster classes (check-worthy,
   unimportant factual, non-factual): it generalised better than a binary model in
   cross-validation, and P(check-worthy) is what we score;
3. choose the regularisation strength by cross-validation grouped by debate (``File_id``), so
   that no debate is in both the training and the validation folds, and the threshold on
   P(check-worthy) that maximises F1 of the check-worthy class on the out-of-fold predictions;
4. refit on all of crowdsourced.csv, export one linear head per other class (check-worthy
   minus that class), drop tiny weights, store the logit of the chosen threshold (so that it
   becomes a score of 0.5), and write versioned JSON (gzip'd) with attribution.

Deterministic: the same data gives a byte-identical file (sorted keys, rounded weights, gzip
with no timestamp). ``groundtruth.csv`` is never read here.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claims.extraction.features import (
    FEATURE_VERSION,
    HAND_FEATURE_NAMES,
    char_ngrams,
    fold,
    hand_features,
    word_ngrams,
)
from claims.extraction.scoring import MODEL_FORMAT, MODEL_VERSION

ATTRIBUTION = {
    "dataset": "ClaimBuster: A Benchmark Dataset of Check-worthy Factual Claims",
    "authors": "Fatma Arslan, Naeemul Hassan, Chengkai Li, Mark Tremayne",
    "citation": "Arslan et al., ICWSM 2020",
    "doi": "10.5281/zenodo.3609356",
    "url": "https://doi.org/10.5281/zenodo.3609356",
    "licence": "CC BY 4.0",
    "file": "crowdsourced.csv",
    "note": "Weights derived from the ClaimBuster data set; labels: Verdict == 1 check-worthy.",
}
DEFAULT_C_GRID = (1.0, 2.0, 4.0)
DEFAULT_FOLDS = 5
MIN_DOCUMENT_FREQUENCY = 2
PRUNE_BELOW = 0.02
DECIMALS = 4


@dataclass(frozen=True)
class TrainingReport:
    """What training chose and how well it did in cross-validation."""

    sentences: int
    positives: int
    c: float
    threshold: float
    cv_f1: float
    cv_table: dict[str, float]
    kept_features: int
    out: Path


def read_crowdsourced(data_dir: str | Path) -> tuple[list[str], list[int], list[str]]:
    """Read texts, verdicts (1 check-worthy, 0 unimportant, -1 non-factual) and debate ids."""
    path = Path(data_dir) / "crowdsourced.csv"
    texts: list[str] = []
    labels: list[int] = []
    groups: list[str] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            texts.append(row["Text"])
            labels.append(int(row["Verdict"].strip()))
            groups.append(row.get("File_id") or "")
    return texts, labels, groups


def _best_threshold(labels: Sequence[int], probabilities: Sequence[float]) -> tuple[float, float]:
    """The probability cut-off with the highest F1 of the positive class, and that F1."""
    pairs = sorted(zip(probabilities, labels, strict=True), reverse=True)
    total_positive = sum(labels)
    true_positive = 0
    best_f1, best_threshold = 0.0, 0.5
    for index, (probability, label) in enumerate(pairs, start=1):
        true_positive += label
        if index < len(pairs) and pairs[index][0] == probability:
            continue  # only cut between distinct scores
        f1 = 2 * true_positive / (index + total_positive)
        if f1 > best_f1:
            next_probability = pairs[index][0] if index < len(pairs) else 0.0
            best_f1, best_threshold = f1, (probability + next_probability) / 2
    return best_threshold, best_f1


def train(
    data_dir: str | Path,
    out: str | Path,
    *,
    c_grid: Sequence[float] = DEFAULT_C_GRID,
    folds: int = DEFAULT_FOLDS,
    prune_below: float = PRUNE_BELOW,
    n_jobs: int = 2,
) -> TrainingReport:
    """Train on ``data_dir/crowdsourced.csv`` and write the weights file to ``out``."""
    from sklearn.linear_model import LogisticRegression

    texts, verdicts, groups = read_crowdsourced(data_dir)
    labels = [1 if verdict == 1 else 0 for verdict in verdicts]
    if not texts or len(set(labels)) < 2:
        raise ValueError("crowdsourced.csv has no sentences of both classes")
    if len(set(groups)) < folds:
        raise ValueError(f"cross-validation needs at least {folds} debates (File_id values)")
    matrix = _feature_matrix(texts)
    cv_table, chosen_c, cv_f1, threshold = _cross_validate(
        matrix, verdicts, labels, groups, c_grid=c_grid, folds=folds, n_jobs=n_jobs
    )
    final = LogisticRegression(C=chosen_c, max_iter=5000, tol=1e-6).fit(matrix.x, verdicts)
    classes = [int(label) for label in final.classes_]
    head_names, heads, biases = _heads(final, classes)
    word_count = len(matrix.word_names)
    char_count = len(matrix.char_names)
    word_weights = _kept(matrix.word_names, heads[:, :word_count], prune_below)
    char_weights = _kept(
        matrix.char_names, heads[:, word_count : word_count + char_count], prune_below
    )
    hand_columns = heads[:, word_count + char_count :]
    hand_weights = {
        name: _rounded(hand_columns[:, index]) for index, name in enumerate(HAND_FEATURE_NAMES)
    }
    document = {
        "format": MODEL_FORMAT,
        "version": MODEL_VERSION,
        "feature_version": FEATURE_VERSION,
        "threshold": 0.5,
        "threshold_logit": round(math.log(threshold / (1.0 - threshold)), 6),
        "heads": head_names,
        "bias": _rounded(biases),
        "hand": hand_weights,
        "word": word_weights,
        "char": char_weights,
        "metadata": {
            "attribution": ATTRIBUTION,
            "training": {
                "sentences": len(texts),
                "check_worthy": sum(labels),
                "model": "multinomial logistic regression on Verdict (scikit-learn lbfgs, "
                "L2); heads are check-worthy minus each other class",
                "classes": classes,
                "features": "word 1-2-grams and char 2-5-grams of folded text (digits as 0), "
                "each block scaled by 1/sqrt(n-grams), plus hand features",
                "min_document_frequency": MIN_DOCUMENT_FREQUENCY,
                "c_grid": [float(c) for c in c_grid],
                "chosen_c": chosen_c,
                "cv": f"{folds}-fold GroupKFold by File_id on crowdsourced.csv only",
                "cv_f1_by_c": cv_table,
                "cv_f1": round(cv_f1, 4),
                "cv_threshold_probability": round(threshold, 4),
                "pruned_below": prune_below,
            },
        },
    }
    out_path = Path(out)
    write_model(document, out_path)
    return TrainingReport(
        sentences=len(texts),
        positives=sum(labels),
        c=chosen_c,
        threshold=threshold,
        cv_f1=cv_f1,
        cv_table=cv_table,
        kept_features=len(word_weights) + len(char_weights),
        out=out_path,
    )


@dataclass(frozen=True)
class _Matrix:
    """The training matrix: word block, char block, hand block, and the n-gram names."""

    x: Any
    word_names: list[str]
    char_names: list[str]


def _feature_matrix(texts: list[str]) -> _Matrix:
    """Vectorise texts exactly as the scorer sees them (each n-gram block / sqrt(count))."""
    import numpy as np
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    folded = [fold(text) for text in texts]
    hand_rows = [list(hand_features(text).values) for text in texts]
    blocks = []
    names = []
    for extract in (word_ngrams, char_ngrams):
        lists = [extract(text) for text in folded]
        vectorizer = CountVectorizer(
            analyzer=_identity, min_df=MIN_DOCUMENT_FREQUENCY, dtype=np.float64
        )
        counts = vectorizer.fit_transform(lists)
        lengths = np.asarray([max(1, len(items)) for items in lists], dtype=np.float64)
        blocks.append(sparse.diags(1.0 / np.sqrt(lengths)) @ counts)
        names.append([str(name) for name in vectorizer.get_feature_names_out()])
    blocks.append(sparse.csr_matrix(np.asarray(hand_rows, dtype=np.float64)))
    return _Matrix(sparse.hstack(blocks).tocsr(), names[0], names[1])


def _identity(items: list[str]) -> list[str]:
    return items


def _cross_validate(
    matrix: _Matrix,
    verdicts: list[int],
    labels: list[int],
    groups: list[str],
    *,
    c_grid: Sequence[float],
    folds: int,
    n_jobs: int,
) -> tuple[dict[str, float], float, float, float]:
    """Grouped CV over ``c_grid``: (F1 by C, best C, its F1, its best threshold)."""
    import numpy as np
    from sklearn.model_selection import GroupKFold
    from sklearn.utils.parallel import Parallel, delayed

    x = matrix.x
    y = np.asarray(verdicts)
    jobs = [
        (c, train_index, test_index)
        for c in c_grid
        for train_index, test_index in GroupKFold(n_splits=folds).split(x, y, groups)
    ]
    # Folds run in parallel; each fit is deterministic, so the result does not depend on it.
    results = Parallel(n_jobs=n_jobs)(
        delayed(_fold_probabilities)(x, y, c, train_index, test_index)
        for c, train_index, test_index in jobs
    )
    cv_table: dict[str, float] = {}
    best: tuple[float, float, float] | None = None
    for c in c_grid:
        out_of_fold = np.zeros(len(verdicts))
        for (job_c, _, test_index), probabilities in zip(jobs, results, strict=True):
            if job_c == c:
                out_of_fold[test_index] = probabilities
        threshold, f1 = _best_threshold(labels, out_of_fold.tolist())
        cv_table[f"C={c:g}"] = round(f1, 4)
        if best is None or f1 > best[1] + 1e-9:
            best = (c, f1, threshold)
    assert best is not None
    return cv_table, *best


def _fold_probabilities(x: Any, y: Any, c: float, train_index: Any, test_index: Any) -> Any:
    """P(check-worthy) for one validation fold, from a model fitted on the other folds."""
    from sklearn.linear_model import LogisticRegression

    fitted = LogisticRegression(C=c, max_iter=5000, tol=1e-6).fit(x[train_index], y[train_index])
    positive = list(fitted.classes_).index(1)
    return fitted.predict_proba(x[test_index])[:, positive]


def _heads(final: Any, classes: list[int]) -> tuple[list[str], Any, Any]:
    """Linear heads "check-worthy minus class k" (one head for a binary model)."""
    import numpy as np

    if len(classes) == 2:
        return [f"1 vs {classes[0]}"], final.coef_[:1], final.intercept_[:1]
    positive = classes.index(1)
    others = [i for i in range(len(classes)) if i != positive]
    heads = np.stack([final.coef_[positive] - final.coef_[i] for i in others])
    biases = np.asarray([final.intercept_[positive] - final.intercept_[i] for i in others])
    return [f"1 vs {classes[i]}" for i in others], heads, biases


def _rounded(values: Any) -> list[float]:
    return [round(float(value), DECIMALS) for value in values]


def _kept(names: list[str], columns: Any, prune_below: float) -> dict[str, list[float]]:
    """Weights of the n-grams whose strongest head weight is at least ``prune_below``."""
    import numpy as np

    strongest = np.abs(columns).max(axis=0)
    return {
        name: _rounded(columns[:, index])
        for index, name in enumerate(names)
        if strongest[index] >= prune_below
    }


def write_model(document: dict[str, Any], path: Path) -> None:
    """Write a model deterministically: sorted keys; gzip with no name or time when .gz."""
    payload = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    data = payload.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        data = gzip.compress(data, compresslevel=9, mtime=0)
    path.write_bytes(data)
