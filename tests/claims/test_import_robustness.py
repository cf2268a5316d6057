"""Hostile and unusual article text: a clear message or a correct result, never a 500."""

from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims import services
from claims.models import Article

pytestmark = pytest.mark.django_db

ODD_TEXTS = {
    "rtl": (
        "أعلنت الحكومة أن الميزانية ارتفعت بنسبة 4.5% هذا العام. "
        "وقال الوزير إن 1,200 مدرسة ستستفيد."
    ),
    "hebrew": "הממשלה הודיעה כי התקציב גדל ב-4.5%. השר אמר כי 1,200 בתי ספר ייהנו.",
    "emoji": "Turnout hit 64% 🎉 in the north. 👩‍👩‍👧 Families got £1,500 each 🏠.",
    "combining": "Cafe\u0301 owners said 30 cafe\u0301s closed. The mayor disagreed.",
    "windows": "Line one has 12 buses.\r\nLine two has 40 trams.\r\n\r\nThe end.",
    "cjk": "政府表示预算增加了4.5%。部长说将有1200所学校受益。",
    "binary_looking": "\x00\x01\x02 GIF89a \x7f\x80\x81 ÿØÿà 12 units sold.",
    "only_punctuation": "... !!! ??? --- ,,, ;;;",
    "long_line": "The council spent 12 pounds " * 2000,
    "script": "<script>alert(1)</script><img src=x onerror=alert(2)> The fund paid 1,240 people.",
}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", sorted(ODD_TEXTS))
def test_pasting_odd_text_gives_anchored_claims_or_a_clear_message(editor: Any, name: str) -> None:
    response = _client(editor).post("/articles/new/", {"title": name, "body": ODD_TEXTS[name]})
    assert response.status_code in {HTTPStatus.FOUND, HTTPStatus.BAD_REQUEST}
    if response.status_code == HTTPStatus.FOUND:
        article = Article.objects.get()
        for claim in article.claims.all():
            assert article.body[claim.start : claim.end] == claim.text
        page = _client(editor).get(response["Location"])
        assert page.status_code == HTTPStatus.OK
    else:
        assert b"errorlist" in response.content


def test_a_five_megabyte_paste_is_refused_with_a_message(editor: Any) -> None:
    body = "The council spent 12 pounds on paper clips. " * 120_000  # about 5 MB
    response = _client(editor).post("/articles/new/", {"title": "Big", "body": body})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"the limit is" in response.content
    assert not Article.objects.exists()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.text(min_size=1, max_size=400))
def test_any_text_that_imports_has_claims_that_slice_back(editor: Any, body: str) -> None:
    try:
        article = services.article_import(title="t", body=body, created_by=editor)
    except services.ValidationError:
        return  # empty after normalisation: refused with a message, tested elsewhere
    for claim in article.claims.all():
        assert article.body[claim.start : claim.end] == claim.text
