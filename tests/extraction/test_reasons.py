"""Reasons for a check-worthiness score: each specific and true of the sentence.

Every kind of reason is tested on sentences that have it and sentences that must not.
"""

from __future__ import annotations

import copy
import json
import pickle

import pytest

from claims.extraction.features import find_source, hand_features
from claims.extraction.scoring import REASON_LABELS, Reason, parse_reason, score_sentence


def _codes(text: str) -> list[str]:
    return [reason.code for reason in score_sentence(text).reasons]


def _reason(text: str, code: str) -> Reason | None:
    return next((r for r in score_sentence(text).reasons if r.code == code), None)


# --- Figures -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("The council spent £4.2 million on the bridge.", "£4.2 million"),
        ("Turnout reached 64% in the northern wards.", "64%"),
        ("Nearly 300 people were evacuated from the valley.", "Nearly 300"),
        ("Some 40 volunteers cleared the beach.", "Some 40"),
        ("Of the flats on Quay Street, 177 stood empty.", "177"),
    ],
)
def test_a_number_percentage_or_amount_is_a_figure(text: str, figure: str) -> None:
    reason = _reason(text, "figure")
    assert reason is not None and reason.detail == figure


@pytest.mark.parametrize(
    "text",
    [
        "COVID-19 closed every school in the district.",
        "The G-7 leaders met by the lake.",
        "The airline grounded its Boeing 737 fleet.",
        "Most office computers still run Windows 10.",
        "The bridge opened on 9 March 2021.",
        "Between 2015 and 2019 the library lost its grant.",
        "The inquiry reported on 3/4/2021.",
        "The mill closed in 1987.",
        "Two councillors left the meeting early.",
    ],
)
def test_digits_in_names_years_dates_and_small_number_words_are_not_figures(text: str) -> None:
    codes = _codes(text)
    assert "figure" not in codes and "figures" not in codes


def test_several_figures_are_named_together() -> None:
    reason = _reason("Rents rose 12% while wages rose 3% and fares £2.", "figures")
    assert reason is not None and reason.detail == "12%, 3%, £2"


def test_a_year_alone_is_a_date_not_a_figure() -> None:
    reason = _reason("The mill closed in 1987.", "date")
    assert reason is not None and reason.detail == "1987"
    assert "date" not in _codes("The mill closed in the spring.")


# --- Named sources -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "source"),
    [
        (
            "That brings the total to 910, as stated by Attorney General Tarek Saab.",
            "Attorney General Tarek Saab",
        ),
        ("The rights group Foro Penal has reported 1,877 prisoners.", "Foro Penal"),
        ("Admissions doubled, according to the ministry.", "the ministry"),
        ("Crime fell by a third, according to Police Chief Ana Ruiz.", "Police Chief Ana Ruiz"),
        ("El paro bajó un 3%, según el ministerio.", "el ministerio"),
        ("El fiscal afirmó que 177 presos fueron liberados.", "El fiscal"),
        ("On Wednesday, the ministry said 40 people had died.", "the ministry"),
        ("Mr Amari said all the households now hold a tenancy.", "Mr Amari"),
        ('"We will rebuild the pier," said Mayor Lena Ostrova.', "Mayor Lena Ostrova"),
        # At the start of a sentence, where most attributions stand.
        ("According to the harbour board, 312 boats were moored.", "the harbour board"),
        ("As reported by the Brackwater Gazette, the ferry ran late.", "the Brackwater Gazette"),
        ("Según el ministerio, el paro bajó un 3%.", "el ministerio"),
        (
            "According to the Tarnmouth Fire Service over 40 homes flooded.",
            "the Tarnmouth Fire Service",
        ),
    ],
)
def test_attribution_to_a_person_title_or_organisation_is_a_source(text: str, source: str) -> None:
    assert find_source(text) == source
    reason = _reason(text, "source")
    assert reason is not None and reason.detail == source


@pytest.mark.parametrize(
    "text",
    [
        "Wednesday said nothing about the ferry.",
        "Well, I said that before and I will say it again.",
        "Yes, he told me so at the station.",
        "People say the bridge is unsafe.",
        "Experts said the river would rise.",
        "According to him, the pier is safe.",
        "According to their own figures, the pier is safe.",
        "The storm devastated Harbourton last winter.",
        "Sales grew, as stated in the annual report.",
        "In May, we found the records in a cupboard.",
        "The report was long and the meeting ran late.",
    ],
)
def test_weekdays_interjections_pronouns_and_generic_nouns_are_not_sources(text: str) -> None:
    assert find_source(text) is None
    assert "source" not in _codes(text)


# --- Comparisons, superlatives, causes, quotes, statistics, predictions --------------------


@pytest.mark.parametrize(
    ("code", "present", "absent"),
    [
        (
            "comparison",
            "Fares are higher than in any other city in the region.",
            "Fares are set by the transport board each spring.",
        ),
        (
            "comparison",
            "Ridership doubled after the new line opened.",
            "Ridership is counted at every station.",
        ),
        (
            "superlative",
            "It is the largest deficit the town has ever run.",
            "It is a deficit the town has run before.",
        ),
        (
            "superlative",
            "Prices reached a record high in the harbour market.",
            "Look at the record of the harbour board.",
        ),
        (
            "causal",
            "The ferry stopped because the harbour silted up.",
            "The ferry stopped and the harbour silted up.",
        ),
        (
            "causal",
            "The closures led to longer queues at the clinic.",
            "The closures came before the queues at the clinic.",
        ),
        (
            "quote",
            '"We have no money left for the pier," the treasurer wrote.',
            'The so-called "pier fund" was closed.',
        ),
        (
            "statistic",
            "The unemployment rate in the valley is the region's highest.",
            "The valley is the region's greenest corner.",
        ),
        (
            "prediction",
            "The harbour board expects the dredging will finish in June.",
            "The harbour board finished the dredging in June.",
        ),
        (
            "prediction",
            "Fares are expected to rise next spring.",
            "Fares rose last spring.",
        ),
    ],
)
def test_each_kind_of_reason_is_given_when_true_and_only_then(
    code: str, present: str, absent: str
) -> None:
    assert code in _codes(present)
    assert code not in _codes(absent)


# --- What counts against -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "present", "absent"),
    [
        ("promise", "We're going to fix every road in this county.", "We fixed every road."),
        ("promise", "I will build the new school.", "The council built the new school."),
        (
            "conditional",
            "If the dam fails, the town floods.",
            "The dam failed and the town flooded.",
        ),
        ("imperative", "Look at what happened to the ferry.", "Look-outs saw the ferry sink."),
        ("opinion", "I think the ferry was a mistake.", "The ferry cost more than planned."),
        ("question", "Why would anyone sail in that?", "Nobody sailed in that."),
    ],
)
def test_promises_conditionals_imperatives_opinions_and_questions_are_named(
    code: str, present: str, absent: str
) -> None:
    assert code in _codes(present)
    assert code not in _codes(absent)


def test_an_approximation_is_not_a_comparison() -> None:
    assert "comparison" not in _codes("As many as 300 people queued at the ferry.")


@pytest.mark.parametrize(
    ("present", "absent"),
    [
        ("He said he would cut the harbour fees.", "He cut the harbour fees."),
        ("The mayor voted against the flood barrier.", "The flood barrier was built."),
    ],
)
def test_a_claim_about_what_someone_said_or_did_is_named(present: str, absent: str) -> None:
    assert "speech" in _codes(present)
    assert "speech" not in _codes(absent)


def test_a_named_source_replaces_the_plain_report_of_speech() -> None:
    codes = _codes("The harbour master said the pier was safe.")
    assert "source" in codes and "speech" not in codes


def test_we_are_going_to_is_a_promise() -> None:
    assert "promise" in _codes("We are going to take away the ferry subsidy.")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Water bills for a typical home will rise by 6% in April.", "will rise"),
        ("Street lighting will cost the borough £2.1 million.", "will cost"),
        ("Ferry fares are expected to climb again next spring.", "expected to climb"),
        ("The pier repairs are expected to 2028, the surveyor wrote.", "expected to"),
        ("Harbour dues won't fall this year.", "won't fall"),
        ("The board says prices will.", "prices will"),
    ],
)
def test_a_prediction_shows_what_is_forecast_not_the_word_before_will(
    text: str, shown: str
) -> None:
    reason = _reason(text, "prediction")
    assert reason is not None and reason.detail == shown


def test_a_promise_is_not_a_prediction() -> None:
    codes = _codes("We will cut the harbour fees.")
    assert "promise" in codes and "prediction" not in codes


def test_a_checkable_rhetorical_question_is_marked_as_checkable() -> None:
    names = hand_features("Didn't you vote against the flood barrier in 2019?")
    idle = hand_features("Why would anyone do that?")
    assert names.values[17] == 1.0  # checkable_question
    assert idle.values[17] == 0.0


def test_a_short_assertion_without_figures_is_a_feature() -> None:
    assert hand_features("We took away the individual mandate.").values[19] == 1.0
    assert hand_features("We will take away the individual mandate.").values[19] == 0.0


# --- The reasons themselves ----------------------------------------------------------------


def test_a_sentence_with_nothing_specific_has_no_reasons() -> None:
    assert score_sentence("The town sits on a hill above the river.").reasons == ()


def test_the_old_catch_all_reason_is_never_given() -> None:
    texts = [
        "The harbour board approved the plan on a show of hands.",
        "Ridership fell 8% last year, the transport board said.",
        "She walked to the station.",
    ]
    for text in texts:
        for reason in score_sentence(text).reasons:
            assert "wording typical" not in reason


def test_every_reason_has_a_known_code_and_reads_as_label_and_detail() -> None:
    reasons = score_sentence(
        "Fares rose 12% because of fuel, the highest rise, according to the transport board."
    ).reasons
    assert {r.code for r in reasons} >= {"figure", "source", "comparison", "causal", "superlative"}
    for reason in reasons:
        assert reason.code in REASON_LABELS
        expected = REASON_LABELS[reason.code]
        assert reason == (f"{expected}: {reason.detail}" if reason.detail else expected)


def test_a_stored_reason_is_parsed_back_to_its_code_and_detail() -> None:
    assert parse_reason(str(Reason("figure", "177"))) == ("figure", "177")
    assert parse_reason("a question") == ("question", "")
    assert parse_reason("wording typical of checkable claims") == ("wording_checkable", "")
    assert parse_reason("something a hand wrote") == (None, "something a hand wrote")


def test_a_reason_is_stored_as_plain_text_and_survives_copying() -> None:
    reason = Reason("source", "the ministry")
    assert json.loads(json.dumps([reason])) == ["attributes to a named source: the ministry"]
    for twin in (copy.deepcopy(reason), pickle.loads(pickle.dumps(reason))):
        assert twin == reason and (twin.code, twin.detail) == ("source", "the ministry")
