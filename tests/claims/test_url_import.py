"""Importing an article from a URL in the background: the job, its service, task and pages.

Pages come from a local server on 127.0.0.1 (the loopback allowance is for tests only). The
service tests queue a job and run it in process as the worker would; one test goes through a
real worker and broker.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from unittest import mock

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from claims import importing
from claims.models import Article, ArticleImport
from claims.tasks import article_import_url_task, article_imports_sweep_task
from factcheck.celery import app as celery_app
from factcheck.celery import fetch_queue_name, route_task
from factcheck.lib.htmltext import article_text, main_text
from tests.factories import UserFactory
from tests.polling import poll

pytestmark = pytest.mark.django_db

STORY = [
    "Harbourton council voted on Thursday to raise parking fees in the town centre by 20 per "
    "cent, the first increase since 2019.",
    "The council said the change would bring in 1.2 million pounds a year, money it plans to "
    "spend on repairing 14 kilometres of road.",
    "Shop owners on the high street said the rise would keep shoppers away. “We lost a third of "
    "our customers last winter,” said one baker.",
    "The new fees take effect on 1 May. A resident permit will cost 85 pounds a year, up from "
    "70 pounds.",
]
# Everything around the story that must not reach the desk.
BOILERPLATE = [
    "Weather",
    "We use cookies to improve your experience",
    "Bus fares frozen for another year",
    "Road repairs delayed by wet winter",
    "This is daylight robbery",
    "About time drivers paid their share",
    "All rights reserved",
    "Privacy policy",
]


def news_page(canonical: str) -> str:
    """A news page as outlets publish them: menus, a cookie banner, related links, comments
    and a footer around the article, and its metadata in the head."""
    paragraphs = "\n".join(f"<p>{text}</p>" for text in STORY)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Harbourton council raises parking fees | The Harbourton Herald</title>
<link rel="canonical" href="{canonical}">
<meta property="og:site_name" content="The Harbourton Herald">
<meta property="og:title" content="Harbourton council raises parking fees">
<meta name="author" content="Mara Quill">
<meta property="article:published_time" content="2025-03-14T09:30:00+00:00">
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav></header>
<div class="cookie-banner" id="cookie-consent"><p>We use cookies to improve your experience.
Accept all cookies or manage your preferences.</p><button>Accept</button></div>
<main><article>
<h1>Harbourton council raises parking fees</h1>
<p class="byline">By Mara Quill</p><time datetime="2025-03-14">14 March 2025</time>
{paragraphs}
</article>
<aside class="related"><h2>Related stories</h2><ul>
<li><a href="/a">Bus fares frozen for another year</a></li>
<li><a href="/b">Road repairs delayed by wet winter</a></li></ul></aside>
<section id="comments" class="comments"><h2>Comments</h2>
<div class="comment"><p>This is daylight robbery, the council never listens to anyone.</p></div>
<div class="comment"><p>About time drivers paid their share of the road repairs.</p></div>
</section></main>
<footer><p>Copyright 2025 The Harbourton Herald. All rights reserved.</p>
<a href="/privacy">Privacy policy</a> <a href="/contact">Contact us</a></footer>
</body></html>"""


NAVIGATION_ONLY = """<html><head><title>The Harbourton Herald - sections</title></head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li>
<li><a href="/opinion">Opinion</a></li></ul></nav></header>
<div class="menu"><ul><li><a href="/latest">Latest headlines</a></li>
<li><a href="/popular">Most read</a></li></ul></div>
<footer><p>Copyright 2025 The Harbourton Herald.</p><a href="/privacy">Privacy</a></footer>
</body></html>"""


def _run(job: ArticleImport, task_id: str = "task-1") -> ArticleImport:
    """Run the job as the worker would, and return it as stored."""
    importing.article_import_url_run(import_id=job.pk, task_id=task_id)
    job.refresh_from_db()
    return job


def _import(url: str, user: Any) -> ArticleImport:
    return _run(importing.article_import_url_queue(url=url, requested_by=user))


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- The service -------------------------------------------------------------------------------


def test_only_the_article_is_stored_with_the_pages_metadata(editor: Any, local_server: Any) -> None:
    canonical = local_server.url("/news/2025/03/parking-fees")
    url = local_server.add("/news/2025/03/parking-fees?utm_source=feed", news_page(canonical))
    job = _import(url, editor)
    assert job.status == ArticleImport.Status.DONE, job.error
    article = job.article
    assert article is not None
    for paragraph in STORY:
        assert paragraph in article.body
    for junk in BOILERPLATE:
        assert junk not in article.body, junk
    assert "By Mara Quill" not in article.body
    assert article.title == "Harbourton council raises parking fees"
    assert article.author == "Mara Quill"
    assert article.published_on == datetime.date(2025, 3, 14)
    assert article.outlet == "The Harbourton Herald"
    assert article.source_url == canonical
    assert article.import_method == Article.ImportMethod.URL
    assert article.created_by == editor
    assert article.claims.exists()
    assert (job.attempts, job.lease_until, job.error) == (1, None, "")
    assert local_server.hits == ["/news/2025/03/parking-fees?utm_source=feed"]


def test_a_canonical_url_on_another_site_is_not_believed(editor: Any, local_server: Any) -> None:
    url = local_server.add("/story", news_page("https://other-outlet.example/their-story"))
    job = _import(url, editor)
    assert job.status == ArticleImport.Status.DONE, job.error
    assert job.article is not None and job.article.source_url == url


def test_a_redirect_is_followed_and_the_final_url_kept(editor: Any, local_server: Any) -> None:
    final = local_server.add("/new-home", f"<title>Moved</title><p>{STORY[0]}</p>")
    url = local_server.add("/old-home", "", status=301, Location="/new-home")
    job = _import(url, editor)
    assert job.status == ArticleImport.Status.DONE, job.error
    assert job.article is not None
    assert job.article.source_url == final and job.article.body == STORY[0]
    assert job.url == url


def test_a_missing_page_fails_with_the_fetchers_message(editor: Any, local_server: Any) -> None:
    job = _import(local_server.url("/gone"), editor)
    assert job.status == ArticleImport.Status.FAILED
    assert "answered 404" in job.error
    assert job.article is None and not Article.objects.exists()


@pytest.mark.parametrize(
    "target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.7/admin"]
)
def test_a_redirect_to_a_private_address_is_refused(
    editor: Any, local_server: Any, target: str
) -> None:
    url = local_server.add("/bounce", "", status=302, Location=target)
    job = _import(url, editor)
    assert job.status == ArticleImport.Status.FAILED
    assert "is not a public address" in job.error
    assert not Article.objects.exists()
    assert local_server.hits == ["/bounce"]


@pytest.fixture
def endless_server() -> Iterator[str]:
    """A server whose pages never end: `/endless` streams without stopping, `/trickle` sends a
    byte every 50 ms. Both stop when the client hangs up."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            chunk, pause = (b"<p>more</p>" * 1000, 0.0)
            if self.path == "/trickle":
                chunk, pause = (b"a", 0.05)
            try:
                while True:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    time.sleep(pause)
            except OSError:
                return

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_endless_body_stops_at_the_byte_cap(
    editor: Any, endless_server: str, settings: Any
) -> None:
    settings.FACTCHECK_FETCH_MAX_BYTES = 64 * 1024
    job = _import(f"{endless_server}/endless", editor)
    assert job.status == ArticleImport.Status.FAILED
    assert f"larger than {64 * 1024} bytes" in job.error
    assert not Article.objects.exists()


def test_a_trickling_page_times_out_at_the_deadline(
    editor: Any, endless_server: str, settings: Any
) -> None:
    settings.FACTCHECK_FETCH_TIMEOUT = 0.5
    settings.FACTCHECK_FETCH_DEADLINE = 1.0
    started = time.monotonic()
    job = _import(f"{endless_server}/trickle", editor)
    assert time.monotonic() - started < 10
    assert job.status == ArticleImport.Status.FAILED
    assert "Timed out" in job.error and "longer than 1 s" in job.error
    assert not Article.objects.exists()


def test_a_slow_server_times_out(editor: Any, local_server: Any, settings: Any) -> None:
    settings.FACTCHECK_FETCH_TIMEOUT = 0.3
    settings.FACTCHECK_FETCH_DEADLINE = 0.6
    url = local_server.add("/slow", f"<p>{STORY[0]}</p>", delay=2.0)
    job = _import(url, editor)
    assert job.status == ArticleImport.Status.FAILED
    assert "Timed out" in job.error
    assert not Article.objects.exists()


def test_a_page_of_navigation_only_fails_with_a_clear_message(
    editor: Any, local_server: Any
) -> None:
    job = _import(local_server.add("/sections", NAVIGATION_ONLY), editor)
    assert job.status == ArticleImport.Status.FAILED
    assert job.error.startswith("The page has no article text")
    assert job.article is None and not Article.objects.exists()


def test_a_page_of_short_labels_has_no_article_text(editor: Any, local_server: Any) -> None:
    page = "<html><body><div><p>Home</p><p>News</p><p>Sport</p><p>Weather</p></div></body></html>"
    job = _import(local_server.add("/labels", page), editor)
    assert job.status == ArticleImport.Status.FAILED
    assert job.error == importing.NO_ARTICLE_TEXT


def test_a_plain_text_page_is_imported_as_it_is(editor: Any, local_server: Any) -> None:
    text = "\n".join(STORY)
    url = local_server.add("/story.txt", text, **{"Content-Type": "text/plain; charset=utf-8"})
    job = _import(url, editor)
    assert job.status == ArticleImport.Status.DONE, job.error
    assert job.article is not None and job.article.body == text


def test_a_refusal_of_the_import_service_fails_the_job_with_its_message(
    editor: Any, local_server: Any, settings: Any
) -> None:
    settings.FACTCHECK_MAX_ARTICLE_BYTES = 100
    job = _import(local_server.add("/long", news_page("")), editor)
    assert job.status == ArticleImport.Status.FAILED
    assert "the limit is" in job.error
    assert not Article.objects.exists()


def test_the_same_text_again_points_at_the_article_already_in_the_desk(
    editor: Any, local_server: Any
) -> None:
    first = _import(local_server.add("/story", news_page("")), editor)
    again = _import(local_server.add("/story-copy", news_page("")), editor)
    if not hasattr(importing.services, "DuplicateArticleError"):
        pytest.skip("claims.services has no duplicate detection yet")
    assert again.status == ArticleImport.Status.DONE, again.error
    assert again.article == first.article and again.note == importing.DUPLICATE_NOTE
    assert Article.objects.count() == 1


def test_an_account_deleted_or_without_the_right_any_more_is_not_fetched_for(
    editor: Any, local_server: Any
) -> None:
    url = local_server.add("/story", news_page(""))
    gone = importing.article_import_url_queue(url=url, requested_by=editor)
    ArticleImport.objects.filter(pk=gone.pk).update(requested_by=None)
    demoted_user = UserFactory(username="demoted", role="Editor")
    demoted = importing.article_import_url_queue(url=url, requested_by=demoted_user)
    demoted_user.groups.clear()
    assert _run(gone).error == "The account that asked for this import no longer exists."
    assert _run(demoted).error == (
        "The account that asked for this import may no longer import articles."
    )
    assert {gone.status, demoted.status} == {ArticleImport.Status.FAILED}
    assert local_server.hits == [] and not Article.objects.exists()


@pytest.mark.parametrize(
    ("canonical", "expected"),
    [
        ("https://www.herald.example/story", "https://www.herald.example/story"),
        ("/story?id=1", "https://www.herald.example/story?id=1"),  # relative: resolved
        ("https://herald.example/story", "https://herald.example/story"),  # www. or not
        ("https://amp.herald.example/story", "https://amp.herald.example/story"),
        ("https://other.example/story", "FINAL"),  # another site: not believed
        ("https://herald.example.evil.example/", "FINAL"),
        ("javascript:alert(1)", "FINAL"),
        ("https://user:pw@herald.example/", "FINAL"),
        ("", "FINAL"),
    ],
)
def test_only_a_canonical_url_on_the_same_site_is_believed(canonical: str, expected: str) -> None:
    final = "https://www.herald.example/news/story?utm_source=feed"
    result = importing.canonical_url(canonical, final_url=final)
    assert result == (final if expected == "FINAL" else expected)


def test_article_text_leaves_the_boilerplate_and_reads_the_metadata() -> None:
    page = news_page("https://herald.example/news/parking-fees")
    extracted = article_text(page, url="https://herald.example/x")
    assert extracted.text.split("\n")[1:] == STORY  # the headline, then the paragraphs
    assert (extracted.title, extracted.author, extracted.date, extracted.sitename) == (
        "Harbourton council raises parking fees",
        "Mara Quill",
        "2025-03-14",
        "The Harbourton Herald",
    )
    assert extracted.url == "https://herald.example/news/parking-fees"
    # The helper main_text keeps its own behaviour: it falls back to the whole page.
    assert main_text(NAVIGATION_ONLY)[1] and not article_text(NAVIGATION_ONLY).text


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/story",
        "javascript:alert(1)",
        "http://user:secret@example.com/story",
        "http://localhost/admin",
        "http://localhost./admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://2852039166/latest/meta-data/",  # 169.254.169.254 as one decimal number
        "http://0xa9fea9fe/",  # and in hex
        "http://[::ffff:169.254.169.254]/",
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 form of the metadata address
        "http://2130706433/",  # 127.0.0.1
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://0.0.0.0/",
        "http://[::1]/",
        "http://10.1.2.3/",
        "http://example.com:22/",
        "http://exa mple.com/",
        "http://",
        "not a url at all",
    ],
)
def test_a_hostile_or_malformed_url_is_refused_at_once(
    editor: Any, settings: Any, url: str
) -> None:
    settings.FACTCHECK_FETCH_ALLOWED_NETWORKS = []  # as in production
    with (
        mock.patch("claims.importing.fetching.fetch") as fetch,
        pytest.raises(ValidationError) as raised,
    ):
        importing.article_import_url_queue(url=url, requested_by=editor)
    assert list(raised.value.message_dict) == ["url"]
    assert raised.value.message_dict["url"][0]
    fetch.assert_not_called()
    assert not ArticleImport.objects.exists()


def test_queueing_needs_the_right_to_import(reviewer: Any) -> None:
    with pytest.raises(PermissionDenied):
        importing.article_import_url_queue(url="https://example.com/a", requested_by=reviewer)
    assert not ArticleImport.objects.exists()


def test_queueing_stores_the_normalised_url_and_sends_the_task_after_commit(
    editor: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with (
        mock.patch("claims.tasks.article_import_url_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        job = importing.article_import_url_queue(
            url="HTTPS://Example.COM/story", requested_by=editor
        )
        delay.assert_not_called()  # nothing is sent before the row is committed
    assert (job.url, job.status, job.requested_by) == (
        "https://example.com/story",
        ArticleImport.Status.QUEUED,
        editor,
    )
    # A named function: Django 5.2 logs a failed robust callback by its name.
    assert [callback.__name__ for callback in callbacks] == ["send_article_import"]
    with mock.patch("claims.tasks.article_import_url_task.delay") as delay:
        callbacks[0]()
    delay.assert_called_once_with(job.pk)


def test_a_broker_outage_at_commit_keeps_the_job_for_the_sweeper(
    editor: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with (
        mock.patch(
            "claims.tasks.article_import_url_task.delay", side_effect=ConnectionError("down")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = importing.article_import_url_queue(url="https://example.com/a", requested_by=editor)
    # robust=True: the failure is logged by the callback's name, never raised into the request.
    assert "send_article_import" in caplog.text and "down" in caplog.text
    job.refresh_from_db()
    assert job.status == ArticleImport.Status.QUEUED


# --- Claims, leases and the sweeper ----------------------------------------------------------


def _job(**fields: Any) -> ArticleImport:
    return ArticleImport.objects.create(**{"url": "https://example.com/story", **fields})


def test_a_second_run_of_a_finished_job_does_nothing(editor: Any, local_server: Any) -> None:
    job = _import(local_server.add("/story", news_page("")), editor)
    assert importing.article_import_url_run(import_id=job.pk, task_id="task-2") is None
    job.refresh_from_db()
    assert job.status == ArticleImport.Status.DONE and job.attempts == 1
    assert Article.objects.count() == 1 and len(local_server.hits) == 1


def test_a_duplicate_delivery_leaves_a_live_lease_alone(editor: Any) -> None:
    job = _job(
        requested_by=editor,
        status=ArticleImport.Status.FETCHING,
        attempts=1,
        lease_until=timezone.now() + datetime.timedelta(minutes=1),
        lease_task_id="task-1",
    )
    with mock.patch("claims.importing.fetching.fetch") as fetch:
        assert importing.article_import_url_run(import_id=job.pk, task_id="task-2") is None
    fetch.assert_not_called()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.lease_task_id) == ("fetching", 1, "task-1")


@pytest.mark.parametrize(
    ("lease_until", "task_id"),
    [
        (datetime.timedelta(seconds=-1), "task-2"),  # the lease ran out: its worker died
        (datetime.timedelta(minutes=1), "task-1"),  # the broker redelivered the same message
    ],
)
def test_a_dead_run_is_taken_over(
    editor: Any, local_server: Any, lease_until: datetime.timedelta, task_id: str
) -> None:
    job = _job(
        requested_by=editor,
        url=local_server.add("/story", news_page("")),
        status=ArticleImport.Status.EXTRACTING,
        attempts=1,
        lease_until=timezone.now() + lease_until,
        lease_task_id="task-1",
    )
    job = _run(job, task_id=task_id)
    assert job.status == ArticleImport.Status.DONE, job.error
    assert job.attempts == 2 and Article.objects.count() == 1


def test_a_job_whose_runs_keep_dying_is_given_up(editor: Any, settings: Any) -> None:
    settings.FACTCHECK_FETCH_MAX_ATTEMPTS = 3
    job = _job(
        requested_by=editor,
        status=ArticleImport.Status.FETCHING,
        attempts=3,
        lease_until=timezone.now() + datetime.timedelta(minutes=1),
        lease_task_id="task-1",
    )
    assert _run(job, task_id="task-1").status == ArticleImport.Status.FAILED
    assert job.error == "Gave up: the import never finished in 3 attempts."


def test_the_sweeper_resends_lost_and_dead_jobs_and_gives_up_on_exhausted_ones(
    editor: Any, settings: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    settings.FACTCHECK_FETCH_MAX_ATTEMPTS = 3
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    lost = _job(requested_by=editor)
    dead = _job(
        requested_by=editor,
        status=ArticleImport.Status.FETCHING,
        attempts=1,
        lease_until=long_ago,
        lease_task_id="task-1",
    )
    exhausted = _job(
        requested_by=editor, status=ArticleImport.Status.FETCHING, attempts=3, lease_until=long_ago
    )
    fresh = _job(requested_by=editor)
    live = _job(
        requested_by=editor,
        status=ArticleImport.Status.FETCHING,
        attempts=1,
        lease_until=timezone.now() + datetime.timedelta(minutes=1),
    )
    finished = _job(requested_by=editor, status=ArticleImport.Status.DONE, attempts=1)
    ArticleImport.objects.exclude(pk__in=[fresh.pk, live.pk]).update(updated_at=long_ago)
    with (
        mock.patch("claims.tasks.article_import_url_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert article_imports_sweep_task() == 2
    assert sorted(call.args[0] for call in delay.mock_calls) == sorted([lost.pk, dead.pk])
    exhausted.refresh_from_db()
    assert exhausted.status == ArticleImport.Status.FAILED and "Gave up" in exhausted.error
    dead.refresh_from_db()
    assert dead.lease_until is None  # the re-sent message claims it at once
    for job in (fresh, live, finished, lost):
        before = job.status
        job.refresh_from_db()
        assert job.status == before
    # Touched: the next sweep waits before sending them again.
    with mock.patch("claims.tasks.article_import_url_task.delay") as delay:
        assert importing.article_imports_sweep() == 0


# --- The task ----------------------------------------------------------------------------------


def test_the_task_run_in_process_imports_the_page(editor: Any, local_server: Any) -> None:
    job = importing.article_import_url_queue(
        url=local_server.add("/story", news_page("")), requested_by=editor
    )
    article_import_url_task(job.pk)
    job.refresh_from_db()
    assert job.status == ArticleImport.Status.DONE, job.error
    assert job.article is not None and job.article.title == "Harbourton council raises parking fees"


def test_a_locked_database_is_retried_and_the_import_still_finishes(
    editor: Any, local_server: Any
) -> None:
    job = importing.article_import_url_queue(
        url=local_server.add("/locked", news_page("")), requested_by=editor
    )
    real_run = importing.article_import_url_run
    calls: list[int] = []

    def locked_once(**kwargs: Any) -> Any:
        calls.append(kwargs["import_id"])
        if len(calls) == 1:
            raise OperationalError("database table is locked: claims_articleimport")
        return real_run(**kwargs)

    with mock.patch("claims.importing.article_import_url_run", side_effect=locked_once):
        result = article_import_url_task.apply(args=(job.pk,))
    job.refresh_from_db()
    assert result.successful(), result.traceback
    assert calls == [job.pk, job.pk]
    assert job.status == ArticleImport.Status.DONE, job.error


def test_a_run_stopped_by_its_time_limit_fails_with_a_message(editor: Any, settings: Any) -> None:
    job = importing.article_import_url_queue(url="https://example.com/a", requested_by=editor)
    with mock.patch("claims.importing.fetching.fetch", side_effect=SoftTimeLimitExceeded()):
        article_import_url_task(job.pk)
    job.refresh_from_db()
    assert job.status == ArticleImport.Status.FAILED
    assert job.error.startswith("The import took longer than")
    assert job.lease_until is None


def test_the_task_goes_to_the_fetch_queue() -> None:
    route = route_task("claims.tasks.article_import_url", (1,), {}, {})
    assert route["queue"] == fetch_queue_name(celery_app.conf.task_default_queue)
    assert article_import_url_task.name == "claims.tasks.article_import_url"
    assert article_import_url_task.acks_late and article_import_url_task.reject_on_worker_lost
    assert article_import_url_task.ignore_result
    assert article_import_url_task.soft_time_limit < article_import_url_task.time_limit


# --- The pages ---------------------------------------------------------------------------------


def test_posting_a_url_queues_the_job_and_redirects_to_its_page_at_once(
    editor: Any, local_server: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    url = local_server.add("/story", news_page(""))
    with (
        mock.patch("claims.tasks.article_import_url_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = _client(editor).post("/articles/fetch/", {"url": url})
    job = ArticleImport.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/articles/imports/{job.pk}/"
    delay.assert_called_once_with(job.pk)
    assert local_server.hits == []  # nothing is fetched inside the request
    assert job.status == ArticleImport.Status.QUEUED and not Article.objects.exists()


def test_a_hostile_url_is_refused_by_the_form_with_the_reason(editor: Any, settings: Any) -> None:
    settings.FACTCHECK_FETCH_ALLOWED_NETWORKS = []
    response = _client(editor).post("/articles/fetch/", {"url": "http://169.254.169.254/"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"169.254.169.254 is not a public address." in response.content
    assert not ArticleImport.objects.exists()


def test_the_job_page_polls_until_the_job_is_done(editor: Any, local_server: Any) -> None:
    job = importing.article_import_url_queue(
        url=local_server.add("/story", news_page("")), requested_by=editor
    )
    client = _client(editor)
    page = client.get(f"/articles/imports/{job.pk}/")
    status_url = f"/articles/imports/{job.pk}/status/"
    assert page.status_code == HTTPStatus.OK
    html = page.content.decode()
    assert f'hx-get="{status_url}"' in html and 'hx-trigger="every 1s"' in html
    assert 'data-status="queued"' in html and job.url in html
    fragment = client.get(status_url, headers={"HX-Request": "true"})
    assert fragment.status_code == HTTPStatus.OK
    assert 'hx-trigger="every 1s"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()  # a fragment, not a page

    _run(job)
    fragment = client.get(status_url, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert 'data-status="done"' in html
    assert "hx-get" not in html and "hx-trigger" not in html  # the polling stops
    article = Article.objects.get()
    assert f'href="/articles/{article.pk}/"' in html
    page = client.get(f"/articles/imports/{job.pk}/")
    assert "hx-trigger" not in page.content.decode()
    assert f'href="/articles/{article.pk}/"' in page.content.decode()


def test_a_failed_job_shows_why_and_the_form_with_the_url(editor: Any, local_server: Any) -> None:
    job = importing.article_import_url_queue(
        url=local_server.add("/sections", NAVIGATION_ONLY), requested_by=editor
    )
    _run(job)
    response = _client(editor).get(f"/articles/imports/{job.pk}/status/")
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert 'data-status="failed"' in html and "hx-trigger" not in html
    assert "The page has no article text" in html
    assert 'action="/articles/fetch/"' in html and f'value="{job.url}"' in html


def test_a_job_of_a_duplicate_text_links_the_existing_article(editor: Any) -> None:
    article = Article.objects.create(title="Older", body="Text.", created_by=editor)
    job = _job(requested_by=editor, status=ArticleImport.Status.DONE, article=article, note="x y")
    html = _client(editor).get(f"/articles/imports/{job.pk}/").content.decode()
    assert "The text is x y" in html and f'href="/articles/{article.pk}/"' in html


def test_the_job_pages_need_the_right_to_import(reviewer: Any, editor: Any) -> None:
    job = _job(requested_by=editor)
    client = _client(reviewer)
    for path in (f"/articles/imports/{job.pk}/", f"/articles/imports/{job.pk}/status/"):
        assert client.get(path).status_code == HTTPStatus.FORBIDDEN
    assert _client(editor).get("/articles/imports/999999/").status_code == HTTPStatus.NOT_FOUND


def test_another_editor_may_follow_the_job(editor: Any, local_server: Any) -> None:
    job = _job(requested_by=editor)
    colleague = UserFactory(username="colleague", role="Editor")
    assert _client(colleague).get(f"/articles/imports/{job.pk}/").status_code == HTTPStatus.OK


# --- Through a real worker -------------------------------------------------------------------


def _wait_until_finished(job_id: int, timeout: float = 30.0) -> ArticleImport:
    # Polls the database the worker writes to (tests/polling.py).
    job = poll(
        lambda: ArticleImport.objects.get(pk=job_id), lambda row: row.is_finished, timeout=timeout
    )
    if not job.is_finished:
        raise AssertionError(f"the worker did not finish import {job_id} in {timeout}s")
    return job


# Read at import, before any worker of this process has started.
REQUEST_CONN_MAX_AGE = settings.DATABASES["default"].get("CONN_MAX_AGE", 0)


@pytest.fixture
def worker(real_worker: Any) -> Iterator[Any]:
    """The real worker, without its hold on the test process's database connections.

    A starting worker makes every connection of the process persistent (factcheck/celery.py,
    meant for a worker process of its own), here its thread's and the live server's request
    threads': on PostgreSQL those sessions outlived the test and blocked dropping the test
    database. With the web process's setting back, each closes after its task or request.
    """
    database = settings.DATABASES["default"]
    database["CONN_MAX_AGE"] = REQUEST_CONN_MAX_AGE
    yield real_worker
    database["CONN_MAX_AGE"] = REQUEST_CONN_MAX_AGE


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_the_posted_url(
    worker: Any, task_runs: list[dict[str, Any]], local_server: Any
) -> None:
    editor = UserFactory(username="worker-editor", role="Editor")
    url = local_server.add("/story", news_page(local_server.url("/story")))
    response = _client(editor).post("/articles/fetch/", {"url": url})
    assert response.status_code == HTTPStatus.FOUND
    job = _wait_until_finished(ArticleImport.objects.get().pk)
    assert job.status == ArticleImport.Status.DONE, job.error
    assert job.article is not None and job.article.outlet == "The Harbourton Herald"
    runs = [run for run in task_runs if run["name"] == "claims.tasks.article_import_url"]
    assert len({run["id"] for run in runs}) == 1, task_runs  # one task, retried or not
    # Taken from this test process's fetch queue on the broker, not run in the caller.
    assert runs[0]["eager"] is False
    assert runs[0]["delivery"].get("routing_key") == fetch_queue_name(
        celery_app.conf.task_default_queue
    )
    assert local_server.hits == ["/story"]
