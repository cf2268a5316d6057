"""Articles and the claims extracted from them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


@dataclass(frozen=True)
class BodyPiece:
    """A run of article text, linked to the claim it belongs to when there is one."""

    text: str
    claim: Claim | None = None


class Article(models.Model):
    """A news article imported into the desk; its body is stored normalised (NFC, \\n)."""

    class ImportMethod(models.TextChoices):
        PASTE = "paste", _("Pasted text")
        UPLOAD = "upload", _("Uploaded file")
        URL = "url", _("Fetched URL")
        API = "api", _("API")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        SPANISH = "es", _("Spanish")

    title = models.CharField(max_length=300)
    body = models.TextField()
    source_url = models.URLField(max_length=2000, blank=True)
    outlet = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True)
    # The language of the body: detected at import (claims/extraction/language.py), editable;
    # it chooses the sentence segmenter's rules.
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    # The CMS's own id for the story (CMS push, API filters); empty for articles from the desk.
    external_id = models.CharField(max_length=200, blank=True)
    import_method = models.CharField(
        max_length=10, choices=ImportMethod.choices, default=ImportMethod.PASTE
    )
    body_sha256 = models.CharField(max_length=64, db_index=True, editable=False)
    # The number of the revision `body` is (ArticleRevision keeps every one).
    revision = models.PositiveIntegerField(default=1, editable=False)
    # Figures inside the article that contradict each other, as found by the extraction engine:
    # [{"kind", "message", "arithmetic", "spans": [[start, end], ...]}].
    consistency_flags = models.JSONField(default=list, blank=True, editable=False)
    # The extraction engine's result, stored at import so pages never re-run it: every sentence
    # with its offsets, score and reasons, and the threshold used.
    # {"threshold": float, "sentences": [{"index", "start", "end", "score", "reasons"}, ...]}
    extraction = models.JSONField(default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Every body is kept in ArticleRevision and the extraction is derived from it: keeping them
    # out of history keeps one history row small.
    history = HistoricalRecords(
        excluded_fields=["body", "extraction"],
        history_change_reason_field=models.TextField(null=True),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="article_newest_first")]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="article_title_not_empty"),
            models.CheckConstraint(condition=~Q(body=""), name="article_body_not_empty"),
            # One article per CMS story: a second push of the same id is the same article.
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="article_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("claims:article_detail", args=[self.pk])

    @property
    def latest_revision(self) -> ArticleRevision | None:
        """The current revision's row, without its text (None for bulk-seeded articles)."""
        return self.revisions.filter(number=self.revision).defer("body").first()

    def body_pieces(self) -> Iterator[BodyPiece]:
        """Split the body into plain runs and claim runs, in order, for highlighting.

        Templates escape each piece, so no article text is ever rendered as markup.
        """
        cursor = 0
        claims = [claim for claim in self.claims.all() if claim.anchor != Claim.Anchor.ORPHANED]
        for claim in sorted(claims, key=lambda claim: claim.start):
            if claim.start < cursor:  # overlapping claims: the earlier one wins the characters
                continue
            if claim.start > cursor:
                yield BodyPiece(self.body[cursor : claim.start])
            yield BodyPiece(self.body[claim.start : claim.end], claim)
            cursor = claim.end
        if cursor < len(self.body):
            yield BodyPiece(self.body[cursor:])


class ClaimQuerySet(models.QuerySet["Claim"]):
    """Reusable claim queries for the queue and the dashboard."""

    def open_for_review(self) -> ClaimQuerySet:
        """Selected claims nobody has taken yet, most urgent first."""
        return self.filter(status=Claim.Status.SELECTED, assignee__isnull=True).order_by(
            "-priority", F("due_on").asc(nulls_last=True), "-score", "pk"
        )

    def assigned_to(self, user: Any) -> ClaimQuerySet:
        """Claims a reviewer is working on."""
        return self.filter(
            assignee=user, status__in=[Claim.Status.SELECTED, Claim.Status.IN_REVIEW]
        ).order_by("-priority", F("due_on").asc(nulls_last=True), "pk")

    def awaiting_approval(self) -> ClaimQuerySet:
        """Claims with a submitted verdict waiting for a second person."""
        return self.filter(status=Claim.Status.AWAITING_APPROVAL).order_by("updated_at", "pk")


class Claim(models.Model):
    """A checkable sentence of an article, anchored to its exact characters in the body."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        SELECTED = "selected", _("Selected")
        IN_REVIEW = "in_review", _("In review")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DISMISSED = "dismissed", _("Dismissed")

    # A closed claim is done with (published, withdrawn or dismissed); an open one can still be
    # worked on. One list for the model, the bulk services and the dashboard.
    CLOSED_STATUSES = (Status.PUBLISHED, Status.WITHDRAWN, Status.DISMISSED)
    OPEN_STATUSES = (Status.CANDIDATE, Status.SELECTED, Status.IN_REVIEW, Status.AWAITING_APPROVAL)

    class Anchor(models.TextChoices):
        """Where the claim stands in the article's current text."""

        ANCHORED = "anchored", _("In the text")
        CHANGED = "changed", _("Sentence edited in a later revision")
        ORPHANED = "orphaned", _("Sentence gone in a later revision")

    class Priority(models.IntegerChoices):
        LOW = 1, _("Low")
        NORMAL = 2, _("Normal")
        HIGH = 3, _("High")
        URGENT = 4, _("Urgent")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="claims")
    text = models.TextField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    position = models.PositiveIntegerField(help_text=_("Order of the sentence in the article."))
    # The article revision `start`/`end` point into: the current one unless orphaned.
    revision = models.PositiveIntegerField(default=1, editable=False)
    anchor = models.CharField(
        max_length=10, choices=Anchor.choices, default=Anchor.ANCHORED, editable=False
    )
    score = models.FloatField(default=0.0, help_text=_("Check-worthiness, 0 to 1."))
    # Stage 2 (claims/reranking.py): the sentence encoder's probability for this claim at the
    # article revision named in article.extraction["stage2"], and the model that gave it; empty
    # until the worker has re-ranked the article, and always where stage 2 is not installed.
    score_refined = models.FloatField(null=True, blank=True, editable=False)
    scored_by = models.CharField(max_length=100, blank=True, editable=False)
    reasons = models.JSONField(default=list, blank=True)
    # Who made the claim (e.g. the official quoted); the reviewer fills it. ClaimReview's
    # itemReviewed.author.
    claimant = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.CANDIDATE, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_claims",
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    due_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClaimQuerySet.as_manager()
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["article", "position"]
        permissions = [("select_claim", "Can select, dismiss and assign claims")]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="claim_start_before_end"),
            # The text must be exactly as long as its span; with the service's slice check this
            # keeps article.body[start:end] == text.
            models.CheckConstraint(
                condition=Q(end=F("start") + Length("text")), name="claim_text_fills_span"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0.0, score__lte=1.0), name="claim_score_between_0_and_1"
            ),
            models.CheckConstraint(
                condition=Q(score_refined__isnull=True)
                | Q(score_refined__gte=0.0, score_refined__lte=1.0),
                name="claim_score_refined_between_0_and_1",
            ),
            # Among the claims in the current text: an orphan keeps the offsets it had in an
            # older revision, where a new sentence may now stand.
            models.UniqueConstraint(
                fields=["article", "position"],
                condition=~Q(anchor="orphaned"),
                name="claim_unique_position_in_article",
            ),
            models.UniqueConstraint(
                fields=["article", "start"],
                condition=~Q(anchor="orphaned"),
                name="claim_unique_start",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "assignee"]),
            # The review queue, "my claims" and the approval list, in their own orderings.
            models.Index(fields=["status", "-priority", "due_on"], name="claim_queue_order"),
            models.Index(
                fields=["assignee", "status", "-priority", "due_on"], name="claim_mine_order"
            ),
            models.Index(fields=["status", "updated_at"], name="claim_status_updated"),
            # The admin's date-range filters at 100,000 claims.
            models.Index(fields=["due_on"], name="claim_due_on"),
            models.Index(fields=["updated_at"], name="claim_updated_at"),
        ]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:77] + "..."

    def get_absolute_url(self) -> str:
        return reverse(
            "reviews:claim_detail", args=[self.pk]
        )  # the workspace is the review desk's page

    def clean(self) -> None:
        """Refuse offsets that do not slice the article body back to the claim text."""
        super().clean()
        if self.article_id is not None and self.article.body[self.start : self.end] != self.text:
            raise ValidationError(
                {"text": "The claim text must be exactly the article text between start and end."}
            )

    def anchored_body(self) -> str:
        """The article text the claim's offsets point into: the current text, or for an orphan
        the revision it was last in."""
        if self.revision == self.article.revision:
            return self.article.body
        revision = self.article.revisions.filter(number=self.revision).only("body").first()
        return revision.body if revision is not None else self.article.body

    def context(self, chars: int = 240) -> tuple[str, str]:
        """The article text just before and just after the claim, for reading it in place."""
        body = self.anchored_body()
        before = body[max(0, self.start - chars) : self.start]
        after = body[self.end : self.end + chars]
        return (("…" + before) if self.start > chars else before), (
            (after + "…") if self.end + chars < len(body) else after
        )

    @property
    def is_open(self) -> bool:
        """True while the claim can still be worked on (not published, withdrawn or dismissed)."""
        return self.status not in self.CLOSED_STATUSES

    def allows(self, action: str) -> bool:
        """Whether the lifecycle table has a move for this action from the claim's state."""
        from claims.lifecycle import TRANSITIONS  # the table imports this module

        return (self.status, action) in TRANSITIONS

    def can_be_selected(self) -> bool:
        return self.allows("select")

    def can_be_dismissed(self) -> bool:
        return self.allows("dismiss")

    def can_be_restored(self) -> bool:
        return self.allows("restore")

    def can_be_taken(self) -> bool:
        return self.allows("take") and self.assignee_id is None

    def can_be_drafted_by(self, user: Any) -> bool:
        """Whether the user may write or edit the verdict draft of this claim."""
        return user.has_perm("reviews.add_verdict") and (
            self.can_be_researched_by(user)
            or (self.status == self.Status.AWAITING_APPROVAL and self.assignee_id == user.pk)
        )

    def can_be_researched_by(self, user: Any) -> bool:
        """Reviewers add evidence and draft while the claim is in review and theirs (or unowned)."""
        return self.status in {self.Status.SELECTED, self.Status.IN_REVIEW} and (
            self.assignee_id is None or self.assignee_id == user.pk
        )


# What a revision can do to a claim, in the order pages list them.
REVISION_CHANGES = ("moved", "changed", "orphaned", "added")


class ArticleRevision(models.Model):
    """One text an article has had: number 1 as imported, then one per changed text.

    `changes` says what this revision did to the claims: {"moved", "changed", "orphaned",
    "added"}, each a list of claim ids."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField()
    body_sha256 = models.CharField(max_length=64)
    changes = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="article_revisions",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} revision {self.number}"

    def change_counts(self) -> dict[str, int]:
        """How many claims this revision moved, changed, orphaned and added."""
        return {kind: len(self.changes.get(kind, [])) for kind in REVISION_CHANGES}


class ArticleImport(models.Model):
    """A request to import an article from a URL, fetched and extracted by a worker.

    The row is the truth about the job: the request queues it, one task run claims it with a
    lease (`lease_until`, `attempts`), and it ends `done` with the article or `failed` with a
    message a person can read. Only `claims.importing` writes `status`.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        FETCHING = "fetching", _("Fetching")
        EXTRACTING = "extracting", _("Extracting")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    url = models.URLField(max_length=2000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="article_imports",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    # What went wrong, for the person who asked (a failed job), e.g. "... answered 404".
    error = models.TextField(blank=True)
    # A remark on a finished job, e.g. "already in the desk" when the text was there before.
    note = models.CharField(max_length=200, blank=True)
    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="imports"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # The run holding the job until then; after it, a redelivery or the sweeper may take over.
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Statuses are written by queryset updates, which run no model validation.
            models.CheckConstraint(
                condition=Q(status__in=["queued", "fetching", "extracting", "done", "failed"]),
                name="articleimport_status_valid",
            ),
        ]
        indexes = [
            # The sweeper's question: unfinished jobs, oldest first.
            models.Index(fields=["status", "updated_at"], name="articleimport_status_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.get_status_display().lower()})"

    def get_absolute_url(self) -> str:
        return reverse("claims:article_import_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        """True once the job is done or failed: nothing will change it any more."""
        return self.status in {self.Status.DONE, self.Status.FAILED}


class UserPreference(models.Model):
    """A newsroom user's own settings; for now the language the desk speaks to them in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preference",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return f"{self.user} ({self.language or '-'})"

    @classmethod
    def language_for(cls, user: Any) -> str:
        """The language this user saved, or "" when they saved none."""
        return cls.objects.filter(user=user).values_list("language", flat=True).first() or ""
