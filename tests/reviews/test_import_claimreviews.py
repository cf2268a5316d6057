"""`manage.py import_claimreviews FILE`: other publishers' ClaimReviews, imported idempotently,
bad records reported and skipped, never fatal."""

import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from reviews import matching
from reviews.external import claimreviews_import
from reviews.models import ExternalFactCheck, MatchDocument
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

# Our own sample records, in the two shapes publishers and aggregators use.
SCHEMA_ORG = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "url": "https://checkers.example/2024/ferry-cancellations",
    "claimReviewed": "The ferry was cancelled on forty days last winter.",
    "datePublished": "2024-02-03T09:30:00Z",
    "inLanguage": "en",
    "author": {
        "@type": "Organization",
        "name": "Coast Checkers",
        "url": "https://checkers.example/",
    },
    "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "A councillor"}},
    "reviewRating": {"@type": "Rating", "alternateName": "Exaggerated", "ratingValue": "2"},
}
GOOGLE = {
    "claims": [
        {
            "text": "El alquiler ha subido un 12% en un año.",
            "claimant": "Una asociación",
            "claimDate": "2024-05-01T00:00:00Z",
            "claimReview": [
                {
                    "publisher": {"name": "Verifica Sur", "site": "verificasur.example"},
                    "url": "https://verificasur.example/alquiler",
                    "title": "¿Sube el alquiler un 12%?",
                    "reviewDate": "2024-05-04",
                    "textualRating": "Engañoso",
                    "languageCode": "es",
                },
                {
                    "publisher": {"name": "Other Desk", "site": "otherdesk.example"},
                    "url": "https://otherdesk.example/rent",
                    "textualRating": "Mostly true",
                    "languageCode": "en",
                },
            ],
        }
    ]
}


def _run(tmp_path: Path, content: str, name: str = "reviews.json") -> tuple[str, str]:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_claimreviews", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_a_single_schema_org_claimreview(tmp_path: Path) -> None:
    out, err = _run(tmp_path, json.dumps(SCHEMA_ORG))
    assert "imported 1, updated 0, skipped 0" in out and not err
    check = ExternalFactCheck.objects.get()
    assert check.claim_text == "The ferry was cancelled on forty days last winter."
    assert check.publisher_name == "Coast Checkers"
    assert check.publisher_site == "checkers.example"
    assert check.claimant == "A councillor"
    assert (check.rating_text, check.rating_value) == ("Exaggerated", 2.0)
    assert check.date_published == datetime.date(2024, 2, 3)
    assert check.language == "en"
    assert MatchDocument.objects.get(external=check).kind == MatchDocument.Kind.EXTERNAL


def test_it_imports_the_google_shape_one_record_per_review(tmp_path: Path) -> None:
    out, _ = _run(tmp_path, json.dumps(GOOGLE))
    assert "imported 2, updated 0, skipped 0" in out
    spanish = ExternalFactCheck.objects.get(publisher_name="Verifica Sur")
    assert spanish.rating_text == "Engañoso"
    assert spanish.publisher_site == "verificasur.example"
    assert spanish.title == "¿Sube el alquiler un 12%?"
    assert spanish.date_published == datetime.date(2024, 5, 4)
    assert spanish.claimant == "Una asociación" and spanish.language == "es"


def test_importing_the_same_file_again_updates_instead_of_duplicating(tmp_path: Path) -> None:
    _run(tmp_path, json.dumps([SCHEMA_ORG]))
    changed = {**SCHEMA_ORG, "reviewRating": {"alternateName": "False", "ratingValue": 1}}
    out, _ = _run(tmp_path, json.dumps([changed]))
    assert "imported 0, updated 1, skipped 0" in out
    check = ExternalFactCheck.objects.get()
    assert check.rating_text == "False"
    assert MatchDocument.objects.filter(external=check).count() == 1


def test_json_lines_with_bad_records_are_reported_by_line_and_skipped(tmp_path: Path) -> None:
    lines = [
        json.dumps(SCHEMA_ORG),
        "{not json",
        json.dumps({**SCHEMA_ORG, "claimReviewed": ""}),
        json.dumps({**SCHEMA_ORG, "url": "javascript:alert(1)"}),
        json.dumps({**SCHEMA_ORG, "url": "https://checkers.example/b", "datePublished": "soon"}),
        "",
        json.dumps(["a string, not an object"]),
        json.dumps({**SCHEMA_ORG, "url": None}),
        json.dumps({**SCHEMA_ORG, "url": "https://checkers.example/c", "claimReviewed": "Other."}),
    ]
    out, err = _run(tmp_path, "\n".join(lines), "reviews.jsonl")
    assert "imported 2, updated 0, skipped 6" in out
    assert "line 2: not JSON" in err
    assert "line 3: no claim text" in err
    assert "line 4: review URL is not an http(s) URL" in err
    assert "line 5: date is not a date" in err
    assert "line 7 1: not an object" in err
    assert "line 8: no review URL" in err
    assert not ExternalFactCheck.objects.filter(review_url__startswith="javascript").exists()


@pytest.mark.parametrize(
    "content",
    [
        json.dumps({"claimReviews": [SCHEMA_ORG]}),
        json.dumps({"@graph": [SCHEMA_ORG]}),
        "\ufeff" + json.dumps(SCHEMA_ORG),
    ],
)
def test_it_finds_the_list_in_a_wrapping_object(tmp_path: Path, content: str) -> None:
    out, _ = _run(tmp_path, content)
    assert "imported 1" in out


def test_odd_values_are_skipped_or_ignored_without_failing() -> None:
    records = [
        42,
        {"claims": [{"text": "A claim.", "claimReview": ["not an object"]}]},
        {**SCHEMA_ORG, "reviewRating": {"alternateName": "Odd", "ratingValue": "n/a"}},
        {**SCHEMA_ORG, "url": "https://checkers.example/" + "x" * 2000},
        {**SCHEMA_ORG, "url": "ftp://checkers.example/file"},
        {**SCHEMA_ORG, "url": "https://checkers.example/long", "claimReviewed": "y" * 6000},
        {**SCHEMA_ORG, "url": "https://checkers.example/d", "datePublished": 20240101},
        {
            **SCHEMA_ORG,
            "url": "https://checkers.example/e",
            "author": ["not a dict", {"name": ["Listed", "Names"]}],
        },
        {"text": "A claim.", "claimReview": ["not an object"]},
    ]
    report = claimreviews_import(text=json.dumps(records))
    assert (report.imported, report.skipped) == (2, 7), report.problems
    assert report.problems[-1] == "record 9: review is not an object (str)"
    assert ExternalFactCheck.objects.get(rating_text="Odd").rating_value is None
    assert report.problems[0] == "record 1: not an object (int)"
    # A wrapper inside a list is not a record: it has no claim text.
    assert report.problems[1] == "record 2: no claim text"
    assert ExternalFactCheck.objects.get(review_url__endswith="/e").publisher_name == "Listed"


def test_an_imported_check_shows_among_the_matches_of_a_similar_claim(tmp_path: Path) -> None:
    _run(tmp_path, json.dumps(SCHEMA_ORG))
    claim = ClaimFactory(text="Last winter ferries did not sail on 40 days.")
    found = matching.claim_matches(claim)
    assert [match.external.review_url for match in found.theirs if match.external] == [
        SCHEMA_ORG["url"]
    ]
    assert found.ours == []


def test_a_missing_file_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_claimreviews", str(tmp_path / "missing.json"))


def test_an_empty_file_imports_nothing(tmp_path: Path) -> None:
    out, _ = _run(tmp_path, "")
    assert "imported 0, updated 0, skipped 0" in out
