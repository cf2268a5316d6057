"""Consistency flag messages are shown in the reader's language, built from stored values."""

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from claims import services
from claims.extraction import FLAG_MESSAGES, check_consistency
from claims.flag_messages import TEMPLATES, flag_message_display
from claims.services import flags_record


def test_every_engine_template_is_marked_for_translation_word_for_word() -> None:
    assert set(TEMPLATES) == set(FLAG_MESSAGES)


def test_a_stored_flag_reads_in_spanish_with_its_figures_and_in_english_as_built() -> None:
    sentences = [
        "The shelter took in 120 dogs in March.",
        "Of the 120 dogs, 30 were adopted, or 40%.",
    ]
    flags = check_consistency(sentences)
    assert flags, "the 30 of 120 = 40% sentence must be flagged"
    stored = {
        "message": flags[0].message,
        "template": flags[0].template,
        "params": dict(flags[0].params),
    }
    assert flag_message_display(stored) == flags[0].message
    with translation.override("es"):
        spanish = flag_message_display(stored)
    assert spanish != flags[0].message
    assert "40%" in spanish and "30" in spanish and "120" in spanish


def test_a_flag_stored_before_templates_existed_shows_its_stored_message() -> None:
    old = {"kind": "sum", "message": "The figures listed do not add up.", "arithmetic": "1 + 2 ≠ 4"}
    with translation.override("es"):
        assert flag_message_display(old) == "The figures listed do not add up."


def test_values_that_do_not_fit_the_template_fall_back_to_the_stored_message() -> None:
    bad = {"message": "stored", "template": TEMPLATES[0], "params": {"noun": "x"}}
    assert flag_message_display(bad) == "stored"


def test_flags_record_keeps_the_template_and_values() -> None:
    from claims.extraction import extract

    extraction = extract(
        "The fund paid 1,240 households in three rounds: 400, 350 and 390.", threshold=0.0
    )
    records = flags_record(extraction)
    assert records, "1,240 announced against 400 + 350 + 390 must be flagged"
    for record in records:
        assert record["template"] in TEMPLATES
        assert record["template"] % record["params"] == record["message"]


@pytest.mark.django_db
def test_the_article_page_shows_a_flag_in_the_readers_language(editor: Any) -> None:
    article = services.article_import(
        title="Shelter",
        body="The shelter took in 120 dogs in March. Of the 120 dogs, 30 were adopted, or 40%.",
        created_by=editor,
    )
    client = Client()
    client.force_login(editor)
    page = client.get(f"/articles/{article.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "El porcentaje (40%) no coincide con las cifras (30 de 120)." in page
