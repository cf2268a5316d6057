"""Django-free claim extraction: segmentation, check-worthiness scoring, consistency checks.

Pure functions over text, no Django imports anywhere in this package, so it can be tested and
benchmarked on its own. Offsets are Python string indexes (code points).

The hot path may run compiled (``native``): ``activate`` runs before any submodule is imported,
so that a current mypyc build of them loads ahead of their sources.
"""

from claims.extraction.native import activate

activate(__path__)

from claims.extraction.consistency import Flag, check_consistency
from claims.extraction.consistency_common import FLAG_MESSAGES
from claims.extraction.language import Detection, detect_language
from claims.extraction.pipeline import Extraction, ScoredSentence, extract
from claims.extraction.scoring import (
    DEFAULT_THRESHOLD,
    REASON_LABELS,
    ModelError,
    Reason,
    Score,
    Scorer,
    load_scorer,
    parse_reason,
    score_sentence,
)
from claims.extraction.segmentation import Sentence, segment

__all__ = [
    "DEFAULT_THRESHOLD",
    "FLAG_MESSAGES",
    "REASON_LABELS",
    "Detection",
    "Extraction",
    "Flag",
    "ModelError",
    "Reason",
    "Score",
    "ScoredSentence",
    "Scorer",
    "Sentence",
    "check_consistency",
    "detect_language",
    "extract",
    "load_scorer",
    "parse_reason",
    "score_sentence",
    "segment",
]
