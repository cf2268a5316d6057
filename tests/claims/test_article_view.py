"""The article page: claims highlighted by status, flags marked and linked, figures grouped."""

import html
import re
from html.parser import HTMLParser
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client

from claims import services
from claims.models import Article, Claim
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

# Our own story about a made-up town: 177 households stated in three sentences, three waves that
# add up to 153 rather than 177, and a percentage that does not match its counts.
BRACKWATER = (
    "Brackwater storm: council says every displaced household has a new home\n\n"
    "BRACKWATER, 9 April (Desk) — The council has found new homes for 177 households since the "
    "March storm, the housing officer, Pell Amari, told councillors on Monday.\n\n"
    "The 177 households were moved in three waves. The first wave placed 64 households in "
    "council flats. The second wave placed 51 households with housing associations, and the "
    "final wave found private lets for 38 households.\n\n"
    "Mr Amari said all 177 households had been offered a permanent tenancy by the end of June.\n\n"
    "Of the 420 roofs that repair crews inspected, 160 needed replacing, or 35%.\n\n"
    'Councillor Dace Morrow, who chairs the housing committee, called it "the fastest rehousing '
    'this town has seen since the COVID-19 lockdowns of 2020". Nineteen families are still in '
    "hotels.\n\n"
    "The council will publish its review at https://council.example/reports/2025/"
    "brackwater-storm-rehousing-review-final-version-with-appendices in May."
)

WAVES = "The 177 households were moved in three waves."
FIRST_WAVE = "The first wave placed 64 households in council flats."
LAST_WAVES = (
    "The second wave placed 51 households with housing associations, and the final wave found "
    "private lets for 38 households."
)


class Page(HTMLParser):
    """The parts of a page these tests look at: elements in order, and the text of each id."""

    VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())

    def __init__(self, content: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: dict[str, str] = {}
        self.ancestors: list[set[str]] = []  # for each element, the ids of those around it
        self._open: list[tuple[str, str | None]] = []
        self.feed(content)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        self.ancestors.append({element_id for _, element_id in self._open if element_id})
        if tag in self.VOID:
            return
        self._open.append((tag, attributes.get("id")))
        if attributes.get("id"):
            self.text[attributes["id"]] = ""

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, element_id in self._open:
            if element_id:
                self.text[element_id] += data

    def index(self, tag: str, **attributes: str) -> int:
        """Where the first element with this tag and these attributes comes in the page."""
        for position, (name, attrs) in enumerate(self.elements):
            if name == tag and all(attrs.get(k) == v for k, v in attributes.items()):
                return position
        raise AssertionError(f"no <{tag} {attributes}>")

    def inside(self, element_id: str) -> list[tuple[str, dict[str, str]]]:
        """The elements within the element with this id, in order."""
        return [
            e
            for e, around in zip(self.elements, self.ancestors, strict=True)
            if element_id in around
        ]

    def focusable(self) -> list[tuple[str, dict[str, str]]]:
        """Elements that take keyboard focus, in tab order (no positive tabindex is used)."""
        return [
            (tag, attrs)
            for tag, attrs in self.elements
            if attrs.get("tabindex") != "-1"
            and "disabled" not in attrs
            and (
                (tag == "a" and "href" in attrs)
                or tag in ("button", "select", "textarea", "summary")
                or (tag == "input" and attrs.get("type") != "hidden")
                or "tabindex" in attrs
            )
        ]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(user: Any, article: Article) -> tuple[str, Page]:
    response = _client(user).get(f"/articles/{article.pk}/")
    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    return content, Page(content)


def _brackwater(editor: Any) -> Article:
    article = services.article_import(title="", body=BRACKWATER, created_by=editor)
    assert [flag["kind"] for flag in article.consistency_flags] == ["sum", "percentage"]
    return article


def _article_text(content: str) -> str:
    """The article body as a reader sees it, without the flag markers added after sentences."""
    body = re.search(r'<div class="article-body" id="article-body">(.*?)</div>', content, re.S)
    assert body is not None
    without_markers = re.sub(r'<a class="flag-marker"[^>]*>.*?</a>', "", body.group(1))
    return html.unescape(re.sub(r"<[^>]+>", "", without_markers))


def test_the_legend_shows_every_status_in_its_own_highlight(editor: Any) -> None:
    content, page = _page(editor, _brackwater(editor))
    legend = re.search(r'<ul class="legend" id="legend".*?</ul>', content, re.S)
    assert legend is not None
    for value, label in Claim.Status.choices:
        assert f'<mark class="claim-mark status-{value}">{label}</mark>' in legend.group(0)
    assert "Figures that do not add up" in page.text["legend"]


def test_each_claim_is_a_mark_with_the_class_of_its_status(editor: Any) -> None:
    body = " ".join(f"Sentence {n} states {n * 10} things." for n in range(len(Claim.Status)))
    article = ArticleFactory.create(body=body)
    claims = []
    for position, status in enumerate(Claim.Status.values):
        text = f"Sentence {position} states {position * 10} things."
        start = body.index(text)
        claims.append(
            Claim.objects.create(
                article=article,
                text=text,
                start=start,
                end=start + len(text),
                position=position,
                status=status,
            )
        )
    content, page = _page(editor, article)
    for claim in claims:
        position = page.index("mark", id=f"mark-{claim.pk}")
        assert page.elements[position][1]["class"] == f"claim-mark status-{claim.status}"
        assert page.text[f"mark-{claim.pk}"] == claim.text
    assert _article_text(content) == body


def test_flagged_sentences_are_underlined_and_anchored_in_the_text(editor: Any) -> None:
    article = _brackwater(editor)
    content, page = _page(editor, article)
    # The sum flag involves three sentences, the percentage flag one.
    assert page.text["flag-1-0"] == "" and page.text["flag-1-2"] == ""
    flagged = [
        attrs for _, attrs in page.inside("article-body") if attrs.get("class") == "flag-mark"
    ]
    assert [attrs["data-flags"] for attrs in flagged] == ["1", "1", "1", "2"]
    assert content.count('<a class="flag-marker" href="#flag-1"') == 3
    assert content.count('<a class="flag-marker" href="#flag-2"') == 1
    assert _article_text(content) == article.body
    # The flag's list of sentences jumps to them in the text.
    assert f'<a href="#flag-1-1">“{FIRST_WAVE}”</a>' in content


def test_each_flag_links_to_the_claims_its_sentences_overlap(editor: Any) -> None:
    article = _brackwater(editor)
    content, _ = _page(editor, article)
    involved = [article.claims.get(text=text) for text in (WAVES, FIRST_WAVE, LAST_WAVES)]
    flag = re.search(r'<li id="flag-1">(.*?)</li>\s*<li id="flag-2">', content, re.S)
    assert flag is not None
    # Each sentence of the flag, in the flag's list, links to the claim on it.
    sentences = re.findall(r"<li><a href=\"#flag-1-\d\">(.*?)</li>", flag.group(1), re.S)
    assert len(sentences) == len(involved)
    for sentence, claim in zip(sentences, involved, strict=True):
        assert sentence.startswith(f"“{claim.text}”</a>")
        assert re.findall(r'class="flag-claim" href="/claims/(\d+)/"', sentence) == [str(claim.pk)]
    for claim in involved:
        # In the text, the marker after the claim leads to the flag; in the ranked list too.
        after = re.search(
            rf'id="mark-{claim.pk}">.*?</mark><a class="flag-marker" href="([^"]+)"', content
        )
        assert after is not None and after.group(1) == "#flag-1"
        row = re.search(
            rf'<span class="claim-meta" id="claim-meta-{claim.pk}">.*?</span>\n', content
        )
        assert row is not None
        assert '<a class="flag-link" href="#flag-1">⚑ flag 1</a>' in row.group(0)
    percentage = article.claims.get(text__startswith="Of the 420 roofs")
    flag_2 = content.split('<li id="flag-2">', 1)[1].split("</ol>", 1)[0]
    assert f'data-claim="{percentage.pk}"' in flag_2
    assert all(f'data-claim="{claim.pk}"' not in flag_2 for claim in involved)


SHORT = "Brackwater rehoused 177 homes. The fund paid 1,240 households."


@pytest.mark.parametrize(
    ("span", "runs"),
    [
        ((0, 12), ["Brackwater r"]),  # inside a claim, from the start of the body
        ((20, 40), ["177 homes.", " ", "The fund "]),  # out of one claim, into the next
        ((4, 62), ["kwater rehoused 177 homes.", " ", "The fund paid 1,240 households."]),
        ((61, 62), ["."]),  # the very last character
    ],
)
def test_a_flag_span_may_start_and_end_anywhere_and_the_text_still_reads_back(
    editor: Any, span: tuple[int, int], runs: list[str]
) -> None:
    flags = [{"kind": "sum", "message": "m", "arithmetic": "a", "spans": [list(span)]}]
    article = ArticleFactory.create(body=SHORT, consistency_flags=flags)
    Claim.objects.create(article=article, text=SHORT[:30], start=0, end=30, position=0)
    Claim.objects.create(article=article, text=SHORT[31:], start=31, end=62, position=1)
    content, _ = _page(editor, article)
    assert re.findall(r'<span class="flag-mark" data-flags="1">(.*?)</span>', content) == runs
    assert _article_text(content) == SHORT
    # One marker, after the sentence, and never inside a claim's link (links do not nest).
    assert content.count('class="flag-marker" href="#flag-1"') == 1
    text = content.split('id="article-body">', 1)[1].split("</div>", 1)[0]
    for link in re.findall(r"<a href=.*?</a>", text):
        assert "flag-marker" not in link


def test_flagged_text_is_escaped_never_run(editor: Any) -> None:
    body = "<script>alert(1)</script> The fund paid 1,240 households."
    flags = [{"kind": "sum", "message": "<b>m</b>", "spans": [[0, 40]]}]
    article = ArticleFactory.create(body=body, consistency_flags=flags)
    Claim.objects.create(article=article, text=body[26:], start=26, end=len(body), position=0)
    content, _ = _page(editor, article)
    assert (
        '<span class="flag-mark" data-flags="1">&lt;script&gt;alert(1)&lt;/script&gt; ' in content
    )
    assert "<script>alert(1)" not in content
    assert "<b>m</b>" not in content
    assert _article_text(content) == body


def test_a_flag_whose_spans_do_not_fit_the_body_marks_nothing(editor: Any) -> None:
    flags = [{"kind": "sum", "message": "m", "spans": [[5, 900], [9, 3]]}]
    article = ArticleFactory.create(body="The fund paid 1,240 households.", consistency_flags=flags)
    _, page = _page(editor, article)
    assert not [attrs for _, attrs in page.inside("article-body") if "class" in attrs]
    assert "flag-1" in page.text


def test_claims_that_state_the_same_figure_are_grouped_under_one_heading(editor: Any) -> None:
    article = _brackwater(editor)
    content, page = _page(editor, article)
    groups = [attrs["id"] for tag, attrs in page.elements if attrs.get("class") == "figure-group"]
    assert len(groups) == 1
    assert page.text[f"{groups[0]}-heading"] == "177 — stated in 3 claims"
    stated = article.claims.filter(text__contains="177 households")
    expected = sorted(stated, key=lambda claim: (-claim.score, claim.position))
    ticked = [attrs["value"] for tag, attrs in page.inside(groups[0]) if tag == "input"]
    assert ticked == [str(claim.pk) for claim in expected]
    # Each claim is listed once: the group replaces the three separate candidates.
    assert sorted(re.findall(r'id="tick-(\d+)"', content)) == sorted(
        str(pk) for pk in article.claims.values_list("pk", flat=True)
    )


def test_each_checkbox_is_named_by_its_claim_text_not_its_score(editor: Any) -> None:
    article = _brackwater(editor)
    _, page = _page(editor, article)
    boxes = [attrs for tag, attrs in page.elements if tag == "input" and attrs["name"] == "claims"]
    assert len(boxes) == article.claims.count() > 0
    for attrs in boxes:
        claim = article.claims.get(pk=attrs["value"])
        assert page.text[attrs["aria-labelledby"]] == claim.text
        description = page.text[attrs["aria-describedby"]]
        assert f"{claim.score:.2f}" in description
        assert f"{claim.score:.2f}" not in page.text[attrs["aria-labelledby"]]
    # The claims form names its boxes by aria-labelledby alone: no <label> competes with the text
    # (the page's other forms, the search box and the language switcher, have labels of their own).
    bulk = page.index("form", action=f"/articles/{article.pk}/claims/")
    switcher = page.index("form", **{"class": "language"})
    assert not any(tag == "label" for tag, _ in page.elements[bulk:switcher])


def test_the_skip_link_is_the_first_focusable_element_and_leads_to_main(editor: Any) -> None:
    article = _brackwater(editor)
    for url in ("/", f"/articles/{article.pk}/", "/articles/new/"):
        page = Page(_client(editor).get(url).content.decode())
        tag, attrs = page.focusable()[0]
        assert (tag, attrs["href"], attrs["class"]) == ("a", "#main", "skip-link")
        assert page.index("main", id="main") > page.index("a", href="#main")
    assert Page(Client().get("/login/").content.decode()).focusable()[0][1]["href"] == "#main"


def test_the_ranked_list_comes_before_the_highlighted_text(editor: Any) -> None:
    article = _brackwater(editor)
    _, page = _page(editor, article)
    focusable = page.focusable()
    first_checkbox = next(i for i, (tag, a) in enumerate(focusable) if a.get("name") == "claims")
    text = page.index("div", id="article-body")
    first_text_link = next(
        i for i, element in enumerate(focusable) if page.elements.index(element) > text
    )
    assert first_checkbox < first_text_link


def test_the_page_query_count_does_not_grow_with_flags_and_groups(
    editor: Any, django_assert_max_num_queries: Any
) -> None:
    article = _brackwater(editor)
    client = _client(editor)
    with django_assert_max_num_queries(10):
        assert client.get(f"/articles/{article.pk}/").status_code == HTTPStatus.OK
