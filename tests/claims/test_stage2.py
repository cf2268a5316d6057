"""Stage 2: the worker refines candidate scores with a sentence encoder, and the page shows it.

The Django flow runs with a small fake encoder put in place through `reranking.reranker_use`.
One test runs the real encoder on our own sentences where requirements-stage2.txt is installed;
elsewhere it is reported as not run (XFAIL with the reason), never silently passed.
"""

import csv
import json
import math
import re
from collections.abc import Callable, Iterator, Sequence
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from claims import reranking, services
from claims.extraction import stage2
from claims.models import Article, Claim
from claims.revisions import article_revise
from claims.tasks import article_rerank_task
from factcheck.celery import app as celery_app

pytestmark = pytest.mark.django_db

BODY = (
    "The council approved a budget of 12 million pounds for road repairs in 2024. "
    "Unemployment in the county fell to 4.1% last spring, the lowest rate in a decade. "
    "Residents gathered at the town hall on a sunny afternoon."
)
REVISED = BODY + " The new bridge cost 3 million pounds more than the council had planned."


class FakeEncoder:
    """Scores a sentence by how many digits it holds; counts its calls."""

    def __init__(self, *, ready: bool = True, name: str = "fake-encoder v0") -> None:
        self.ready = ready
        self.name = name
        self.calls: list[list[str]] = []
        self.during: Callable[[], None] | None = None

    def available(self) -> bool:
        return self.ready

    def model_name(self) -> str:
        return self.name

    def rerank(self, sentences: list[str], stage1_scores: list[float] | None = None) -> list[float]:
        self.calls.append(list(sentences))
        if self.during is not None:
            self.during()
        return [min(0.99, 0.05 + 0.1 * sum(c.isdigit() for c in text)) for text in sentences]


@pytest.fixture
def fake() -> Iterator[FakeEncoder]:
    encoder = FakeEncoder()
    previous = reranking.reranker_use(encoder)
    yield encoder
    reranking.reranker_use(previous)


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Messages sent after commit run at once, in this process."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _import(editor: Any, run_on_commit: Callable[..., Any], *, execute: bool) -> Article:
    with run_on_commit(execute=execute):
        article = services.article_import(title="Budget", body=BODY, created_by=editor)
    assert article.claims.count() >= 2
    return article


def _live_claims(article: Article) -> list[Claim]:
    return list(article.claims.exclude(anchor=Claim.Anchor.ORPHANED).order_by("position"))


def test_an_import_sends_the_rerank_after_commit_and_the_task_stores_refined_scores(
    editor: Any,
    fake: FakeEncoder,
    eager_tasks: None,
    run_on_commit: Callable[..., Any],
    task_runs: list[dict[str, Any]],
) -> None:
    article = _import(editor, run_on_commit, execute=True)

    assert [run["name"] for run in task_runs] == ["claims.tasks.article_rerank"]
    article.refresh_from_db()
    assert article.extraction["stage2"] == {
        "revision": 1,
        "model": "fake-encoder v0",
        "claims": len(_live_claims(article)),
    }
    for claim in _live_claims(article):
        expected = min(0.99, 0.05 + 0.1 * sum(c.isdigit() for c in claim.text))
        assert claim.score_refined == pytest.approx(expected)
        assert claim.scored_by == "fake-encoder v0"
        assert claim.version == 1  # a machine score is not an edit
    assert fake.calls == [[claim.text for claim in article.claims.all().order_by("pk")]]


def test_the_rerank_waits_for_the_commit(
    editor: Any, fake: FakeEncoder, run_on_commit: Callable[..., Any]
) -> None:
    with run_on_commit(execute=False) as callbacks:
        services.article_import(title="Budget", body=BODY, created_by=editor)

    assert [callback.__name__ for callback in callbacks] == ["send_article_rerank"]
    assert fake.calls == []


def test_running_the_task_twice_scores_once(
    editor: Any, fake: FakeEncoder, run_on_commit: Callable[..., Any]
) -> None:
    article = _import(editor, run_on_commit, execute=False)

    article_rerank_task(article.pk, 1)
    article_rerank_task(article.pk, 1)

    assert len(fake.calls) == 1


def test_a_message_for_an_older_revision_stores_nothing(
    editor: Any, fake: FakeEncoder, run_on_commit: Callable[..., Any]
) -> None:
    article = _import(editor, run_on_commit, execute=False)
    with run_on_commit(execute=False) as callbacks:
        article_revise(article_id=article.pk, title="", body=REVISED, by=editor, note="update")
    assert [callback.__name__ for callback in callbacks] == ["send_article_rerank"]

    assert reranking.article_rerank(article_id=article.pk, revision=1) is False
    article.refresh_from_db()
    assert "stage2" not in article.extraction
    assert all(claim.score_refined is None for claim in _live_claims(article))

    assert reranking.article_rerank(article_id=article.pk, revision=2) is True
    article.refresh_from_db()
    assert article.extraction["stage2"]["revision"] == 2
    assert all(claim.score_refined is not None for claim in _live_claims(article))


def test_a_revision_arriving_while_the_encoder_runs_drops_the_result(
    editor: Any, fake: FakeEncoder, run_on_commit: Callable[..., Any]
) -> None:
    article = _import(editor, run_on_commit, execute=False)

    def revise() -> None:
        article_revise(article_id=article.pk, title="", body=REVISED, by=editor, note="update")

    fake.during = revise
    assert reranking.article_rerank(article_id=article.pk, revision=1) is False
    article.refresh_from_db()
    assert article.revision == 2
    assert "stage2" not in article.extraction
    assert all(claim.score_refined is None for claim in _live_claims(article))


def test_without_stage_2_nothing_is_sent_or_stored_and_the_page_says_stage_1(
    editor: Any, fake: FakeEncoder, run_on_commit: Callable[..., Any]
) -> None:
    fake.ready = False
    with run_on_commit(execute=False) as callbacks:
        article = services.article_import(title="Budget", body=BODY, created_by=editor)

    assert callbacks == []
    assert reranking.article_rerank(article_id=article.pk, revision=1) is False
    assert fake.calls == []
    content = _client(editor).get(f"/articles/{article.pk}/").content.decode()
    assert "Scored by stage 1 (fast scorer)." in content
    assert f"/articles/{article.pk}/scores/" not in content


def test_the_setting_turns_the_real_stage_2_off(settings: Any) -> None:
    settings.FACTCHECK_STAGE2_ENABLED = False

    assert reranking.DEFAULT_RERANKER.available() is False


def test_the_page_polls_while_pending_then_shows_the_refined_scores_and_stops(
    editor: Any, fake: FakeEncoder, run_on_commit: Callable[..., Any]
) -> None:
    article = _import(editor, run_on_commit, execute=False)
    client = _client(editor)
    scores_url = f"/articles/{article.pk}/scores/"

    page = client.get(f"/articles/{article.pk}/").content.decode()
    assert f'hx-get="{scores_url}"' in page
    assert "stage 2 is refining the scores" in page
    pending = client.get(scores_url)
    assert pending.status_code == HTTPStatus.OK
    assert f'hx-get="{scores_url}"' in pending.content.decode()

    article_rerank_task(article.pk, 1)

    done = client.get(scores_url).content.decode()
    assert "hx-get" not in done
    assert "Scores refined by stage 2 (fake-encoder v0)." in done
    for claim in _live_claims(article):
        assert claim.score_refined is not None
        assert re.search(
            rf'id="claim-score-{claim.pk}" hx-swap-oob="true">.*?{claim.score_refined:.2f}</span>',
            done,
        )
    page = client.get(f"/articles/{article.pk}/").content.decode()
    assert "Scores refined by stage 2 (fake-encoder v0)." in page
    assert f'hx-get="{scores_url}"' not in page


def test_the_page_ranks_by_the_refined_score_once_it_is_in(
    editor: Any, fake: FakeEncoder, run_on_commit: Callable[..., Any]
) -> None:
    article = _import(editor, run_on_commit, execute=False)
    first, second = _live_claims(article)[:2]  # 6 digits, then 2: the fake prefers the first
    # Stage 1 prefers the second.
    Claim.objects.filter(pk=first.pk).update(score=0.5)
    Claim.objects.filter(pk=second.pk).update(score=0.99)
    client = _client(editor)

    def order() -> list[int]:
        page = client.get(f"/articles/{article.pk}/").content.decode()
        return [int(pk) for pk in re.findall(r'id="tick-(\d+)"', page)]

    assert order()[:2] == [second.pk, first.pk]
    article_rerank_task(article.pk, 1)
    assert order()[:2] == [first.pk, second.pk]


def test_the_page_stops_waiting_for_a_stage_2_that_does_not_come(
    editor: Any, fake: FakeEncoder, run_on_commit: Callable[..., Any], settings: Any
) -> None:
    settings.FACTCHECK_STAGE2_WAIT_SECONDS = 0
    article = _import(editor, run_on_commit, execute=False)

    page = _client(editor).get(f"/articles/{article.pk}/").content.decode()

    assert "Scored by stage 1 (fast scorer)." in page
    assert 'hx-get="/articles/' + str(article.pk) + '/scores/"' not in page


def test_the_scores_fragment_needs_the_view_permission(
    editor: Any, fake: FakeEncoder, run_on_commit: Callable[..., Any]
) -> None:
    article = _import(editor, run_on_commit, execute=False)

    response = Client().get(f"/articles/{article.pk}/scores/")

    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)


# --- The pure module ------------------------------------------------------------------------


def test_the_shipped_head_matches_the_encoder_and_the_hand_features() -> None:
    head = stage2.read_head()
    document = json.loads(stage2.DEFAULT_HEAD.read_text(encoding="utf-8"))

    assert head.dimensions == 384
    assert head.uses_stage1
    inputs = 384 + 1 + len(document["hand_features"])
    assert document["head"] == "network" and len(head.members) == document["seeds"] >= 3
    assert all(member.w1.shape == (inputs, member.b1.shape[0]) for member in head.members)
    assert 0.0 < head.threshold < 1.0
    assert "ClaimBuster" in document["attribution"]["dataset"]
    assert "multilingual-e5-small" in document["attribution"]["encoder"]


def test_the_shipped_head_was_stacked_on_the_shipped_stage_1() -> None:
    """Retraining stage 1 makes the head's stage-1 weight stale: retrain stage 2 after it."""
    document = json.loads(stage2.DEFAULT_HEAD.read_text(encoding="utf-8"))

    assert document["stage1"]["weights_sha256"] == stage2.stage1_fingerprint()


def test_a_stacked_head_wants_stage_1_scores() -> None:
    head = stage2.Head((1.0, 1.0, 2.0), 0.0, 0.5, 2, uses_stage1=True)
    vectors = _digits_encoder(["x"])[:, :2]

    with pytest.raises(ValueError):
        head.probabilities(["x"], vectors)
    low, high = head.probabilities(["x", "x"], numpy_rows([[0.0, 0.0], [0.0, 0.0]]), [0.2, 0.8])
    assert low == pytest.approx(0.2**2 / (0.2**2 + 0.8**2))  # sigmoid(2 * logit(0.2))
    assert high == pytest.approx(1.0 - low)


def numpy_rows(rows: list[list[float]]) -> Any:
    import numpy

    return numpy.asarray(rows)


def test_a_head_for_another_encoder_is_refused(tmp_path: Path) -> None:
    document = json.loads(stage2.DEFAULT_HEAD.read_text(encoding="utf-8"))
    document["encoder"] = "some-other-model"
    path = tmp_path / "head.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(stage2.HeadError):
        stage2.read_head(path)


def test_the_best_threshold_maximises_f1() -> None:
    cut, f1 = stage2.best_threshold([1, 1, 0, 1, 0], [0.9, 0.8, 0.7, 0.6, 0.1])

    assert cut == 0.6
    assert f1 == pytest.approx(2 * 3 / (4 + 3))


def test_rerank_wants_one_stage_1_score_per_sentence() -> None:
    with pytest.raises(ValueError):
        stage2.rerank(["One sentence."], [0.5, 0.5])
    assert stage2.rerank([], []) == []


# Runs only where requirements-stage2.txt is installed: tests/conftest.py deselects it elsewhere
# (the run's summary says so), and .ci/run installs stage 2 and runs this file with it.
@pytest.mark.stage2
def test_the_real_encoder_ranks_our_factual_claims_above_small_talk() -> None:
    assert stage2.available()
    claims = [
        "The city spent 4.2 million dollars on new buses last year, twice its 2019 budget.",
        "Crime in the district fell by 18 percent between 2015 and 2020, police figures show.",
        "The governor said the state has created 50,000 jobs since January.",
    ]
    talk = [
        "Thank you all for coming out tonight.",
        "I want to say how glad I am to be here with my family.",
        "Well, let me answer that question.",
    ]

    scores = stage2.rerank(claims + talk)

    assert all(0.0 <= score <= 1.0 for score in scores)
    # Without stage-1 scores stage 2 computes them with the shipped scorer: the same result.
    given = [stage2.load_scorer().value(text) for text in claims + talk]
    assert stage2.rerank(claims + talk, given) == pytest.approx(scores)
    assert min(scores[:3]) > max(scores[3:])
    head = stage2.read_head()
    assert all(score >= head.threshold for score in scores[:3])
    assert all(score < head.threshold for score in scores[3:])


def _write_split(path: Path, rows: list[tuple[str, int, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Sentence_id", "Text", "File_id", "Verdict"])
        for number, (text, verdict, debate) in enumerate(rows):
            writer.writerow([number, text, debate, verdict])


def _tiny_splits(folder: Path) -> None:
    """Our own sentences in six "debates": figures are check-worthy, small talk is not."""
    rows = []
    for debate in range(6):
        for n in range(6):
            rows.append(
                (f"Spending in region {debate} rose by {n + 3} percent in 201{n}.", 1, f"d{debate}")
            )
            rows.append(
                (
                    f"Thank you, it is good to be here in town number {'x' * (n + 1)}.",
                    -1,
                    f"d{debate}",
                )
            )
            rows.append(
                (
                    f"I think we should talk about that later, friend {'y' * (n + 1)}.",
                    0,
                    f"d{debate}",
                )
            )
    _write_split(folder / "crowdsourced.csv", rows)
    _write_split(folder / "groundtruth.csv", rows[::2])


def _digits_encoder(sentences: Sequence[str]) -> Any:
    import numpy

    return numpy.asarray(
        [[sum(c.isdigit() for c in text) / 4, len(text) / 100, 1.0] for text in sentences]
    )


def test_training_writes_a_head_that_reads_back_and_separates_the_classes(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")  # requirements-dev.txt, installed wherever tests run
    _tiny_splits(tmp_path)
    out = tmp_path / "head.json"

    report = stage2.train(
        tmp_path, out=out, encoder=_digits_encoder, alpha_grid=(0.1, 1.0), seeds=2
    )

    head = stage2.read_head(out)
    document = json.loads(out.read_text(encoding="utf-8"))
    assert report.head == "network" and report.setting in (0.1, 1.0)
    assert head.dimensions == 3 and head.uses_stage1 and len(head.members) == 2
    assert all(member.w1.shape == (4, stage2.HIDDEN_UNITS) for member in head.members)
    assert document["stage1"]["weights_sha256"] == stage2.stage1_fingerprint()
    # On six tiny debates the fold models of stage 1 are far more confident than the shipped
    # one, so the cut-off learnt from out-of-fold inputs does not carry over to dev here: the
    # ranking does (the real data's figures are in the README and the bench).
    assert report.dev_average_precision == pytest.approx(1.0)
    assert report.held_out_f1 == pytest.approx(1.0)
    assert document["measured"]["held_out_debates_f1"] == pytest.approx(report.held_out_f1)
    assert document["attribution"]["licence"] == "CC BY 4.0"
    texts = ["Taxes rose 12 percent in 2019.", "Thank you, good to be here."]
    stage1 = [stage2.load_scorer().value(text) for text in texts]
    factual, talk = head.probabilities(texts, _digits_encoder(texts), stage1)
    assert factual > talk


def test_training_twice_writes_the_same_head_byte_for_byte(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    _tiny_splits(tmp_path)
    first, second = tmp_path / "first.json", tmp_path / "second.json"

    for out in (first, second):
        stage2.train(tmp_path, out=out, encoder=_digits_encoder, alpha_grid=(0.1, 1.0), seeds=3)

    assert first.read_bytes() == second.read_bytes()
    seeds = json.loads(first.read_text(encoding="utf-8"))["members"]
    assert len({member["w1"] for member in seeds}) == 3  # each seed its own network


def test_training_without_stage_1_writes_a_vectors_only_head(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    _tiny_splits(tmp_path)
    out = tmp_path / "head.json"

    report = stage2.train(
        tmp_path, out=out, encoder=_digits_encoder, c_grid=(1.0,), stage1=False, network=False
    )

    assert report.dev_f1 == pytest.approx(1.0)
    head = stage2.read_head(out)
    assert not head.uses_stage1 and len(head.weights) == 3
    texts = ["Taxes rose 12 percent in 2019.", "Thank you, good to be here."]
    factual, talk = head.probabilities(texts, _digits_encoder(texts))
    assert factual > head.threshold > talk


def test_out_of_fold_stage_1_scores_come_from_models_that_did_not_see_the_fold() -> None:
    pytest.importorskip("sklearn")
    # Fold 0 holds sentences whose wording no other fold has: a model fitted without fold 0
    # cannot have learnt them, so its scores there stay near the prior.
    texts, verdicts, folds = [], [], []
    for fold in range(3):
        for n in range(8):
            texts.append(f"Spending rose by {n + 3} percent in 201{n}.")
            verdicts.append(1)
            folds.append(fold)
            texts.append(f"Thank you, friend number {n}, good to see you.")
            verdicts.append(-1 if n % 2 else 0)
            folds.append(fold)
    texts += ["Zebras quokka wombat xylophone."] * 4
    verdicts += [1] * 4
    folds += [0] * 4
    train_out, dev_out = stage2.out_of_fold_stage1(texts, verdicts, folds, [], [])

    assert len(train_out) == len(texts) and len(dev_out) == 0
    unseen = train_out[-4:]
    seen_claims = [train_out[i] for i in range(0, 48, 2)]
    assert max(unseen) < min(seen_claims)


# --- The network head (version 3) -----------------------------------------------------------


def _network_document(members: list[dict[str, Any]], dimensions: int = 2) -> dict[str, Any]:
    return {
        "format": stage2.HEAD_FORMAT,
        "version": 3,
        "encoder": stage2.ENCODER_NAME,
        "dimensions": dimensions,
        "hand_features": [],
        "stage1": {"logit_input": False},
        "threshold": 0.5,
        "head": "network",
        "members": members,
    }


def test_a_network_head_averages_its_members_probabilities() -> None:
    import numpy

    # One hidden unit each: member A gives sigmoid(relu(x0 - x1) * 2), B gives sigmoid(-1).
    a = {
        "hidden": 1,
        "w1": stage2.encoded_array([[1.0], [-1.0]]),
        "b1": stage2.encoded_array([0.0]),
        "w2": stage2.encoded_array([2.0]),
        "b2": 0.0,
    }
    b = {**a, "w2": stage2.encoded_array([0.0]), "b2": -1.0}
    head = stage2.head_from_document(_network_document([a, b]))

    high, low = head.probabilities(["x", "y"], numpy.asarray([[1.5, 0.5], [0.0, 3.0]]))

    sigmoid = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    assert high == pytest.approx((sigmoid(2.0) + sigmoid(-1.0)) / 2)
    assert low == pytest.approx((sigmoid(0.0) + sigmoid(-1.0)) / 2)


def test_a_fitted_network_reads_back_with_its_standardisation_folded_in() -> None:
    pytest.importorskip("sklearn")
    import numpy
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = numpy.random.default_rng(3)
    x = rng.normal(size=(200, 3)) * [1.0, 50.0, 0.01] + [0.0, 400.0, 2.0]
    y = (x[:, 0] + (x[:, 1] - 400) / 50 > 0).astype(int)
    model = make_pipeline(
        StandardScaler(), MLPClassifier(hidden_layer_sizes=(8,), max_iter=3000, random_state=0)
    ).fit(x, y)
    head = stage2.head_from_document(
        _network_document([stage2._network_member(model)], dimensions=3)
    )

    assert head.predict(x) == pytest.approx(model.predict_proba(x)[:, 1].tolist(), abs=1e-4)


@pytest.mark.parametrize(
    "damage",
    [
        lambda m: m.update(w1="not base64!"),
        lambda m: m.update(b1=stage2.encoded_array([0.0, 0.0])),  # one hidden unit, two biases
        lambda m: m.update(w2=stage2.encoded_array([float("nan")])),
        lambda m: m.pop("b2"),
    ],
)
def test_a_damaged_network_head_is_refused(damage: Callable[[dict[str, Any]], Any]) -> None:
    member = {
        "hidden": 1,
        "w1": stage2.encoded_array([[1.0], [-1.0]]),
        "b1": stage2.encoded_array([0.0]),
        "w2": stage2.encoded_array([2.0]),
        "b2": 0.0,
    }
    stage2.head_from_document(_network_document([dict(member)]))  # sound as written
    damage(member)

    with pytest.raises(stage2.HeadError):
        stage2.head_from_document(_network_document([member]))
    with pytest.raises(stage2.HeadError):
        stage2.head_from_document(_network_document([]))


def test_a_version_2_logistic_head_still_reads_and_scores() -> None:
    import numpy

    document = {
        "format": stage2.HEAD_FORMAT,
        "version": 2,
        "encoder": stage2.ENCODER_NAME,
        "dimensions": 2,
        "hand_features": [],
        "stage1": {"logit_input": True},
        "threshold": 0.4,
        "bias": 0.5,
        "weights": [1.0, -1.0, 1.0],
    }
    head = stage2.head_from_document(document)

    (p,) = head.probabilities(["x"], numpy.asarray([[0.25, 0.75]]), [0.5])

    assert head.version == 2 and not head.members
    assert p == pytest.approx(1 / (1 + math.exp(-(0.5 + 0.25 - 0.75 + 0.0))))
