"""Import channels that run in the background: an article from a URL, fetched by a worker.

The request only checks the URL and queues a job (`ArticleImport`); a task run claims the job
with a lease, fetches through the one guarded fetcher, extracts the article's main text and
metadata (trafilatura, fed the `str` we fetched) and stores it with `services.article_import`.
The job's row says how far it got, for the page that polls it.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from claims import services
from claims.models import Article, ArticleImport
from factcheck.lib import http as fetching
from factcheck.lib.htmltext import ArticleText, readable_article
from factcheck.lib.permissions import require_permission

URL_MAX_LENGTH = ArticleImport._meta.get_field("url").max_length or 2000
OUTLET_MAX_LENGTH = Article._meta.get_field("outlet").max_length or 200
AUTHOR_MAX_LENGTH = Article._meta.get_field("author").max_length or 200

# What a job stores is English (a worker has no reader's language); the job's page translates
# it when it renders (`claims_imports.import_message`), so each text is marked, not translated.
NO_ARTICLE_TEXT = gettext_noop(
    "The page has no article text: it looks like menus or a list of links, not an article."
)
DUPLICATE_NOTE = gettext_noop("already in the desk")
PERMISSION_LOST = gettext_noop(
    "The account that asked for this import may no longer import articles."
)
REQUESTER_GONE = gettext_noop("The account that asked for this import no longer exists.")
GAVE_UP = gettext_noop("Gave up: the import never finished in %(attempts)s attempts.")
TIMED_OUT = gettext_noop("The import took longer than %(seconds)s s and was stopped.")
# Every text a job may store with its placeholders, for the page that translates them back.
STORED_MESSAGES = (
    NO_ARTICLE_TEXT,
    DUPLICATE_NOTE,
    PERMISSION_LOST,
    REQUESTER_GONE,
    GAVE_UP,
    TIMED_OUT,
)
# The statuses of a job some run is working on.
ACTIVE = (ArticleImport.Status.FETCHING, ArticleImport.Status.EXTRACTING)


def _lease() -> datetime.timedelta:
    """How long a claimed job is held: longer than the task's hard time limit, so a live run
    is never robbed of it."""
    return datetime.timedelta(seconds=settings.FACTCHECK_FETCH_LEASE_SECONDS)


def _enqueue_article_import(import_id: int) -> None:
    """Send the job to the worker once its row is committed; a broker outage only logs."""
    from claims.tasks import article_import_url_task

    def send_article_import() -> None:
        article_import_url_task.delay(import_id)

    # robust: the row is saved either way and the sweeper re-sends what the broker did not
    # take; a named function, since Django 5.2 logs a failed callback by its __qualname__.
    transaction.on_commit(send_article_import, robust=True)


def article_import_url_queue(*, url: str, requested_by: Any) -> ArticleImport:
    """Queue the import of the article at `url`; the worker fetches it.

    Raises ValidationError at once for a URL the server would never fetch (another scheme,
    credentials, a private or odd address spelling, a disallowed port); an address only DNS
    reveals as private is refused by the fetch itself.
    """
    require_permission(requested_by, "claims.add_article")
    try:
        normalised = fetching.normalise_url(url)
        fetching.check_url(normalised, fetching.policy_from_settings())
    except fetching.FetchError as error:
        raise ValidationError({"url": str(error)}) from error
    if len(normalised) > URL_MAX_LENGTH:
        raise ValidationError(
            {"url": gettext("The URL is longer than %(max)s characters.") % {"max": URL_MAX_LENGTH}}
        )
    with transaction.atomic():
        job = ArticleImport.objects.create(url=normalised, requested_by=requested_by)
        _enqueue_article_import(job.pk)
    return job


def _claimable(*, now: datetime.datetime, task_id: str) -> Q:
    """Jobs a run may claim: queued ones, and running ones whose lease expired (their worker
    died) or is held by this same task message (a redelivery after its worker died)."""
    claimable = Q(status=ArticleImport.Status.QUEUED)
    taken_over = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    if task_id:
        taken_over |= Q(lease_task_id=task_id[:64])
    return claimable | (Q(status__in=ACTIVE) & taken_over)


def article_import_url_run(*, import_id: int, task_id: str = "") -> ArticleImport | None:
    """Fetch, extract and store one queued import; safe to run twice or after a crash.

    Steps:
    1. Claim the job with one conditional update (queued, or running under an expired lease
       or one held by this task message): `fetching`, attempt + 1, a lease. Anything else (a
       finished job, a duplicate delivery while a live run holds it) returns None; a job whose
       runs keep dying is failed once its attempts are used up.
    2. Unless the person who asked may no longer import (a failure), fetch through the
       guarded fetcher; a FetchError fails the job with its message.
    3. `extracting`: the main text and metadata of the page; a page with no article text fails.
    4. `services.article_import` with the page's title, author, date, outlet and canonical URL
       (if it is on the same site, else the final URL). Done with the article; a text already in
       the desk is done with that article and the note "already in the desk"; a refusal fails
       with its message. Nothing is stored for a failed job.
    Every write after the claim checks the attempt is still this run's.
    """
    now = timezone.now()
    max_attempts = settings.FACTCHECK_FETCH_MAX_ATTEMPTS
    claimed = ArticleImport.objects.filter(
        _claimable(now=now, task_id=task_id), pk=import_id, attempts__lt=max_attempts
    ).update(
        status=ArticleImport.Status.FETCHING,
        attempts=F("attempts") + 1,
        lease_until=now + _lease(),
        lease_task_id=task_id[:64],
        updated_at=now,
    )
    if not claimed:
        _give_up(
            ArticleImport.objects.filter(_claimable(now=now, task_id=task_id), pk=import_id),
            max_attempts=max_attempts,
        )
        return None
    job = ArticleImport.objects.select_related("requested_by").get(pk=import_id)
    mine = ArticleImport.objects.filter(pk=import_id, status__in=ACTIVE, attempts=job.attempts)
    refusal = _refusal(job.requested_by)
    if refusal:
        return _finish(mine, job, status=ArticleImport.Status.FAILED, error=refusal)
    try:
        page = fetching.fetch(job.url, policy=fetching.policy_from_settings())
    except fetching.FetchError as error:
        return _finish(mine, job, status=ArticleImport.Status.FAILED, error=str(error))
    if not mine.update(status=ArticleImport.Status.EXTRACTING, updated_at=timezone.now()):
        return None
    extracted = readable_article(page.text, page.content_type, url=page.final_url)
    if not extracted.text:
        return _finish(mine, job, status=ArticleImport.Status.FAILED, error=NO_ARTICLE_TEXT)
    try:
        article = _store(user=job.requested_by, extracted=extracted, url=page.final_url)
    except ValidationError as error:
        existing = _existing_article(error)
        if existing is not None:
            return _finish(
                mine, job, status=ArticleImport.Status.DONE, article=existing, note=DUPLICATE_NOTE
            )
        return _finish(mine, job, status=ArticleImport.Status.FAILED, error=_message(error))
    except PermissionDenied:  # the permission was taken away during the fetch
        error_text = _refusal(None, lost=True)
        return _finish(mine, job, status=ArticleImport.Status.FAILED, error=error_text)
    return _finish(mine, job, status=ArticleImport.Status.DONE, article=article)


def _refusal(user: Any, *, lost: bool = False) -> str:
    """Why the person who asked may not import any more, or "" when they may."""
    if lost or (user is not None and not user.has_perm("claims.add_article")):
        return PERMISSION_LOST
    if user is None:
        return REQUESTER_GONE
    return ""


def _store(*, user: Any, extracted: ArticleText, url: str) -> Article:
    """Store the extracted article for the person who asked for it (`url`: the final URL)."""
    return services.article_import(
        title=extracted.title,
        body=extracted.text,
        created_by=user,
        import_method=Article.ImportMethod.URL,
        source_url=canonical_url(extracted.url, final_url=url),
        outlet=extracted.sitename[:OUTLET_MAX_LENGTH],
        author=extracted.author[:AUTHOR_MAX_LENGTH],
        published_on=_date(extracted.date),
    )


def _existing_article(error: ValidationError) -> Article | None:
    """The article already holding this text, when the import was refused as a duplicate.

    `DuplicateArticleError` comes with duplicate detection in `claims.services`; without it
    every ValidationError is a plain refusal.
    """
    duplicate = getattr(services, "DuplicateArticleError", None)
    if duplicate is not None and isinstance(error, duplicate):
        existing = getattr(error, "article", None)
        return existing if isinstance(existing, Article) else None
    return None


def _message(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _finish(
    mine: QuerySet[ArticleImport],
    job: ArticleImport,
    *,
    status: str,
    error: str = "",
    note: str = "",
    article: Article | None = None,
) -> ArticleImport | None:
    """End this run's attempt; None when another run has taken the job over meanwhile."""
    changes: dict[str, Any] = {
        "status": status,
        "error": error,
        "note": note,
        "article": article,
        "lease_until": None,
        "lease_task_id": "",
        "updated_at": timezone.now(),
    }
    if not mine.update(**changes):
        return None
    for name, value in changes.items():
        setattr(job, name, value)
    return job


def _give_up(candidates: QuerySet[ArticleImport], *, max_attempts: int) -> int:
    """Fail running jobs whose runs keep dying once their attempts are used up."""
    return candidates.filter(status__in=ACTIVE, attempts__gte=max_attempts).update(
        status=ArticleImport.Status.FAILED,
        error=GAVE_UP % {"attempts": max_attempts},
        lease_until=None,
        lease_task_id="",
        updated_at=timezone.now(),
    )


def article_import_url_stop(*, import_id: int, task_id: str, seconds: float) -> bool:
    """Fail a job whose run reached its time limit: a page that took this long will take as
    long again. Returns whether this run still held the job."""
    return bool(
        ArticleImport.objects.filter(
            pk=import_id, status__in=ACTIVE, lease_task_id=task_id[:64]
        ).update(
            status=ArticleImport.Status.FAILED,
            error=TIMED_OUT % {"seconds": f"{seconds:g}"},
            lease_until=None,
            lease_task_id="",
            updated_at=timezone.now(),
        )
    )


def article_imports_sweep(*, older_than: datetime.timedelta = datetime.timedelta(minutes=2)) -> int:
    """Send again the jobs whose message was lost; returns how many.

    Queued jobs untouched since `older_than` (the broker was down at commit) and running jobs
    whose lease expired (their worker died) are sent to the worker again, which claims them as
    usual; those with no attempts left are failed here.
    """
    now = timezone.now()
    max_attempts = settings.FACTCHECK_FETCH_MAX_ATTEMPTS
    stale = ArticleImport.objects.filter(
        Q(status=ArticleImport.Status.QUEUED, updated_at__lt=now - older_than)
        | Q(status__in=ACTIVE, lease_until__lt=now)
        | Q(status__in=ACTIVE, lease_until__isnull=True, updated_at__lt=now - older_than)
    )
    _give_up(stale, max_attempts=max_attempts)
    resent = []
    for import_id in stale.filter(attempts__lt=max_attempts).values_list("pk", flat=True):
        # Released (the message claims it at once) and touched, so the next sweep waits
        # `older_than` again; re-checked in the update itself, since a run may claim the job
        # between the two queries.
        if stale.filter(pk=import_id).update(lease_until=None, lease_task_id="", updated_at=now):
            resent.append(import_id)
    for import_id in resent:
        _enqueue_article_import(import_id)
    return len(resent)


def canonical_url(candidate: str, *, final_url: str) -> str:
    """The page's canonical URL when it is an http(s) URL on the same site, else `final_url`.

    A page may name any URL as canonical; only one on its own site (the same host, or one
    differing by a subdomain such as `www.` or `amp.`) is believed, so a page cannot pass
    itself off as another outlet's story.
    """
    if not candidate:
        return final_url
    try:
        normalised = fetching.normalise_url(urljoin(final_url, candidate))
    except fetching.FetchError:
        return final_url
    if len(normalised) > URL_MAX_LENGTH:
        return final_url
    claimed, actual = (_site(urlsplit(normalised).hostname), _site(urlsplit(final_url).hostname))
    if claimed == actual or claimed.endswith("." + actual) or actual.endswith("." + claimed):
        return normalised
    return final_url


def _site(host: str | None) -> str:
    return (host or "").lower().removeprefix("www.")


def _date(value: str) -> datetime.date | None:
    """The page's publication date, when it is a real ISO date."""
    try:
        return datetime.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
