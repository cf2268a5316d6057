"""Evidence, archived sources, rating scales and verdicts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey
from simple_history.models import HistoricalRecords

from claims.models import Claim


class SourceQuerySet(models.QuerySet["Source"]):
    """Reusable source queries."""

    def stale(self, *, older_than: Any) -> SourceQuerySet:
        """Sources whose fetch message may have been lost: pending and due since `older_than`,
        or fetching under a lease that has expired (its worker died)."""
        now = timezone.now()
        return self.filter(
            Q(
                fetch_status=Source.FetchStatus.PENDING,
                updated_at__lt=older_than,
            )
            & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            | Q(fetch_status=Source.FetchStatus.FETCHING, lease_until__lt=now)
            | Q(fetch_status=Source.FetchStatus.FETCHING, lease_until__isnull=True)
        )

    def due_for_recheck(self, *, checked_before: Any) -> SourceQuerySet:
        """Archived sources cited by a published verdict whose live page was last checked
        before `checked_before` (or never)."""
        return (
            self.filter(
                fetch_status=Source.FetchStatus.FETCHED,
                evidence__claim__verdicts__is_current=True,
                evidence__claim__verdicts__published_at__isnull=False,
            )
            .filter(Q(checked_at__isnull=True) | Q(checked_at__lt=checked_before))
            .distinct()
        )

    def rotted(self) -> SourceQuerySet:
        """Sources whose live page is gone, changed or moved since it was archived."""
        return self.filter(live_status__in=Source.LiveStatus.rotted())


class Source(models.Model):
    """One fetched URL, archived as text; shared by every piece of evidence that cites it.

    `text`, `body_sha256`, `http_status`, `final_url` and `fetched_at` describe the latest
    archived copy (the newest Snapshot); each fetch that succeeds adds a Snapshot. A fetch is
    claimed as a lease: `attempts` numbers it, `lease_until` ends it, `lease_task_id` names the
    task message holding it (a redelivery of that message after a crash takes it over at once).
    """

    class FetchStatus(models.TextChoices):
        PENDING = "pending", _("Waiting to be fetched")
        FETCHING = "fetching", _("Fetching")
        FETCHED = "fetched", _("Archived")
        FAILED = "failed", _("Failed")

    class LiveStatus(models.TextChoices):
        UNCHECKED = "", _("Not re-checked")
        OK = "ok", _("Unchanged")
        CHANGED = "changed", _("Changed since archived")
        MOVED = "moved", _("Moved (redirects elsewhere)")
        GONE = "gone", _("Gone")

        @classmethod
        def rotted(cls) -> list[str]:
            """The statuses an editor should hear about."""
            return [cls.CHANGED, cls.MOVED, cls.GONE]

    url = models.URLField(max_length=2000, unique=True, help_text=_("Normalised URL."))
    fetch_status = models.CharField(
        max_length=10, choices=FetchStatus.choices, default=FetchStatus.PENDING, db_index=True
    )
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    final_url = models.URLField(max_length=2000, blank=True)
    title = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True, help_text=_("Readable text extracted from the page."))
    body_sha256 = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_task_id = models.CharField(max_length=64, blank=True)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When a transient failure will be tried again.")
    )
    fetched_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # The fetcher's machine-readable reason (dns, refused, tls, timeout, http_error, ...).
    error_kind = models.CharField(max_length=20, blank=True)
    # Link rot: what the last re-check of the live page found, and when.
    live_status = models.CharField(
        max_length=10, choices=LiveStatus.choices, default=LiveStatus.UNCHECKED, blank=True
    )
    live_note = models.CharField(max_length=500, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SourceQuerySet.as_manager()
    # The archived text can be megabytes; its hash in body_sha256 records that it changed.
    history = HistoricalRecords(
        excluded_fields=["text"], history_change_reason_field=models.TextField(null=True)
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweeper's and the link-rot job's scans.
            models.Index(fields=["fetch_status", "lease_until"], name="source_lease"),
            models.Index(fields=["live_status"], name="source_live_status"),
        ]

    def __str__(self) -> str:
        return self.url

    def get_absolute_url(self) -> str:
        return reverse("reviews:source_detail", args=[self.pk])

    @property
    def is_rotted(self) -> bool:
        """Whether the live page is gone, changed or moved since it was archived."""
        return self.live_status in Source.LiveStatus.rotted()


def snapshot_upload_to(instance: Snapshot, filename: str) -> str:
    """Raw bodies are stored by content hash, so an unchanged page is stored once."""
    return f"snapshots/{instance.body_sha256[:2]}/{instance.body_sha256}.gz"


class SnapshotQuerySet(models.QuerySet["Snapshot"]):
    """Reusable snapshot queries."""

    def as_of(self, moment: Any) -> Snapshot | None:
        """The snapshot that was current at `moment`: the newest taken by then, else the first
        taken after it (evidence attached before its source was fetched)."""
        before = self.filter(fetched_at__lte=moment).order_by("-fetched_at", "-pk").first()
        return before or self.order_by("fetched_at", "pk").first()


class Snapshot(models.Model):
    """One archived fetch of a source: what the server answered, the readable text, and the
    raw body (gzip) in Django's file storage. Never served as live HTML."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="snapshots")
    # The source's attempt number when it was taken (a re-fetch starts counting again).
    attempt = models.PositiveSmallIntegerField(default=1)
    final_url = models.URLField(max_length=2000)
    http_status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    headers = models.JSONField(default=dict, blank=True)
    title = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    body_sha256 = models.CharField(max_length=64)
    body_size = models.PositiveIntegerField(default=0)
    body = models.FileField(upload_to=snapshot_upload_to, max_length=200)
    fetched_at = models.DateTimeField()

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-fetched_at", "-pk"]
        indexes = [models.Index(fields=["source", "fetched_at"], name="snapshot_source_time")]

    def __str__(self) -> str:
        return f"{self.source} at {self.fetched_at:%Y-%m-%d %H:%M}"


# A quote is an excerpt, not a copy of the page (the archive keeps the page); a note is a note.
QUOTE_MAX_LENGTH = 5000
NOTE_MAX_LENGTH = 5000
COMMENT_MAX_LENGTH = 5000


class Evidence(models.Model):
    """A piece of research attached to a claim: a source URL, a quote, a note."""

    class Stance(models.TextChoices):
        SUPPORTS = "supports", _("Supports the claim")
        CONTRADICTS = "contradicts", _("Contradicts the claim")
        CONTEXT = "context", _("Context")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence"
    )
    url = models.URLField(max_length=2000, blank=True)
    quote = models.TextField(blank=True, max_length=QUOTE_MAX_LENGTH)
    stance = models.CharField(max_length=12, choices=Stance.choices, default=Stance.CONTEXT)
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence_added",
    )
    added_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(quote="") | ~Q(note=""),
                name="evidence_has_content",
            ),
            # Forms and the service say so nicely; the database refuses whatever gets past them.
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("quote"), QUOTE_MAX_LENGTH),
                name="evidence_quote_bounded",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("note"), NOTE_MAX_LENGTH),
                name="evidence_note_bounded",
            ),
        ]

    def __str__(self) -> str:
        return self.url or self.quote[:60] or self.note[:60]


class RatingScale(models.Model):
    """A named, ordered set of ratings a newsroom publishes verdicts on."""

    name = models.CharField(max_length=100, unique=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="rating_scale_single_default",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def best_value(self) -> int | None:
        """The highest ClaimReview number on the scale (schema.org bestRating)."""
        values = [r.claimreview_value for r in self.ratings.all() if r.claimreview_value]
        return max(values) if values else None

    @property
    def worst_value(self) -> int | None:
        """The lowest ClaimReview number on the scale (schema.org worstRating)."""
        values = [r.claimreview_value for r in self.ratings.all() if r.claimreview_value]
        return min(values) if values else None


class Rating(models.Model):
    """One label of a rating scale; ordinal labels carry a ClaimReview number (higher = truer)."""

    scale = models.ForeignKey(RatingScale, on_delete=models.CASCADE, related_name="ratings")
    label = models.CharField(max_length=60)
    description = models.TextField(blank=True)
    # The newsroom's Spanish wording; blank falls back to the English label (see label_in).
    label_es = models.CharField(_("label (Spanish)"), max_length=60, blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    claimreview_value = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "schema.org ratingValue, 1 or more, higher is more true; empty if not ordinal."
        ),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["scale", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "label"], name="rating_unique_label"),
            models.UniqueConstraint(
                fields=["scale", "claimreview_value"], name="rating_unique_value"
            ),
            models.CheckConstraint(
                condition=Q(claimreview_value__isnull=True) | Q(claimreview_value__gte=1),
                name="rating_value_at_least_1",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @classmethod
    def of_default_scale(cls) -> models.QuerySet[Rating]:
        """The default scale's ratings (every rating when no scale is the default)."""
        scale = RatingScale.objects.filter(is_default=True).first()
        return cls.objects.filter(scale=scale) if scale else cls.objects.all()

    def label_in(self, language: str | None) -> str:
        """The label in `language` ("es", "es-ar"...) if the scale has one, else the English."""
        if language and language.lower().split("-")[0] == "es" and self.label_es:
            return self.label_es
        return self.label

    def description_in(self, language: str | None) -> str:
        """The description in `language` when the scale has it, else the English one."""
        if language and language.lower().split("-")[0] == "es" and self.description_es:
            return self.description_es
        return self.description


class VerdictQuerySet(models.QuerySet["Verdict"]):
    """Reusable verdict queries."""

    def current(self) -> VerdictQuerySet:
        """Each claim's current verdict (drafts replaced by a newer one left out)."""
        return self.filter(is_current=True)

    def published(self) -> VerdictQuerySet:
        """Current, published verdicts, newest first."""
        return self.current().filter(published_at__isnull=False).order_by("-published_at", "-pk")


class Verdict(models.Model):
    """A rated conclusion on a claim; a second person approves it before it is published."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="verdicts")
    is_current = models.BooleanField(default=True)
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="verdicts")
    # The rating the author submitted first; kept when an approver sends the draft back, so the
    # dashboard can tell how often approval changed it (cleared when the author recalls it).
    proposed_rating = models.ForeignKey(
        Rating, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    summary = models.CharField(max_length=280, help_text=_("One line for the CMS."))
    explanation = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="verdicts_written"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    return_note = models.TextField(
        blank=True, help_text=_("Why the approver sent the draft back to its author.")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verdicts_approved",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Set by each correction after publication (schema.org dateModified).
    modified_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawal_reason = models.TextField(blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VerdictQuerySet.as_manager()
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("approve_verdict", "Can approve and publish verdicts")]
        indexes = [
            # The CMS API's listing: current, published, newest first.
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(is_current=True, published_at__isnull=False),
                name="verdict_published_order",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["claim"], condition=Q(is_current=True), name="verdict_one_current_per_claim"
            ),
            # The four-eyes rule, kept by the database as well as the service.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("author")),
                name="verdict_not_approved_by_author",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(approved_at__isnull=False),
                name="verdict_published_only_when_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}: {self.summary}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def archived_evidence_count(self) -> int:
        """Evidence items on the claim whose source has been fetched and archived."""
        return self.claim.evidence.filter(source__fetch_status=Source.FetchStatus.FETCHED).count()

    def approval_blockers(self) -> list[str]:
        """Why this verdict cannot be approved yet, in words for the editor (empty: it can)."""
        from django.conf import settings

        needed = settings.FACTCHECK_APPROVAL_MIN_ARCHIVED_EVIDENCE
        have = self.archived_evidence_count() if needed else 0
        if have < needed:
            return [
                str(
                    _(
                        "Approval needs at least %(needed)d evidence item(s) with an archived "
                        "source; this claim has %(have)d. Wait for the archive or add a source."
                    )
                    % {"needed": needed, "have": have}
                )
            ]
        return []

    def can_be_approved_by(self, user: Any) -> bool:
        """A submitted, unpublished verdict may be approved by an approver who did not write it."""
        return (
            self.is_current
            and self.submitted_at is not None
            and self.published_at is None
            and user.pk != self.author_id
            and user.has_perm("reviews.approve_verdict")
        )


class VerdictCorrection(models.Model):
    """A change to a published verdict: what it said before, the public note, who and when.

    With the verdict's current fields these rows give every version that was ever published.
    """

    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE, related_name="corrections")
    previous_rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="+")
    previous_summary = models.CharField(max_length=280)
    previous_explanation = models.TextField(blank=True)
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="+")
    summary = models.CharField(max_length=280)
    explanation = models.TextField(blank=True)
    note = models.TextField(help_text=_("The public correction note, shown with the verdict."))
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="corrections_made"
    )
    corrected_at = models.DateTimeField()

    class Meta:
        ordering = ["corrected_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="correction_has_a_note"),
        ]

    def __str__(self) -> str:
        return f"Correction of verdict {self.verdict_id} at {self.corrected_at:%Y-%m-%d %H:%M}"


class Comment(models.Model):
    """A message in a claim's thread between reviewer and editor (return notes are comments)."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        RETURN = "return", _("Sent back")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    body = models.TextField(max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["claim", "created_at"], name="comment_thread_order")]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="comment_not_empty"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), COMMENT_MAX_LENGTH),
                name="comment_bounded",
            ),
        ]

    def __str__(self) -> str:
        return self.body[:60]


class ChangeEvent(models.Model):
    """The CMS change feed (a transactional outbox): one row per publication, correction or
    withdrawal, written in the same transaction as the change itself.

    The sequence is the primary key. Appends are serialised (see `reviews.outbox.record`), so
    sequence order is commit order and a reader following the cursor never skips a row that
    commits late.
    """

    class Kind(models.TextChoices):
        PUBLISHED = "published", _("Published")
        CORRECTED = "corrected", _("Corrected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    verdict = models.ForeignKey(Verdict, on_delete=models.PROTECT, related_name="change_events")
    claim_id_at_change = models.PositiveBigIntegerField()
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} verdict {self.verdict_id}"


class OutboxLock(models.Model):
    """One row, locked by every append to the change feed so sequence order is commit order."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="outbox_lock_single_row")]

    def __str__(self) -> str:
        return "outbox lock"


class ApiKey(AbstractAPIKey):
    """A CMS's key to the API: hashed at rest and shown once (djangorestframework-api-key),
    revocable, with a scope and the time it was last used."""

    class Scope(models.TextChoices):
        READ = "read", _("Read verdicts and the change feed")
        READ_WRITE = "read_write", _("Read, and push articles")

    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="api_keys_created",
    )

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"
        verbose_name_plural = "API keys"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE


class WebhookEndpoint(models.Model):
    """A CMS URL that receives signed deliveries (Standard Webhooks) of chosen change kinds."""

    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(max_length=2000)
    # "whsec_" + base64 of random bytes, as the Standard Webhooks spec writes secrets.
    secret = models.CharField(max_length=100, editable=False)
    send_published = models.BooleanField(default=True)
    send_corrected = models.BooleanField(default=True)
    send_withdrawn = models.BooleanField(default=True)
    # Networks this endpoint may reach although they are not public (a CMS on the newsroom's
    # own network), one CIDR per line; empty: public addresses only.
    allowed_networks = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One change to send to one endpoint; its retry schedule lives in this row, not in a task.

    Created in the change's transaction (with the ChangeEvent), so a change that commits is
    always delivered or recorded as given up.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Gave up")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(ChangeEvent, on_delete=models.PROTECT, related_name="deliveries")
    # The Standard Webhooks `webhook-id`: the same on every retry, so the CMS can de-duplicate.
    message_id = models.CharField(max_length=100, unique=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_one_delivery"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint}"


class WebhookAttempt(models.Model):
    """One try at sending a delivery: when, how long, what the CMS answered."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.TextField(blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number"),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} of {self.delivery_id}"


class ExternalFactCheck(models.Model):
    """A fact-check another publisher published (a schema.org ClaimReview we imported): shown
    next to our own similar verdicts, always as theirs, never as ours."""

    publisher_name = models.CharField(max_length=200, blank=True)
    publisher_site = models.CharField(max_length=200, blank=True)
    claim_text = models.TextField()
    # The claim text's SHA-256: with the review URL it names a record, so importing the same
    # file again updates rather than duplicates (a unique index on the text itself could pass
    # PostgreSQL's index row size limit).
    claim_sha256 = models.CharField(max_length=64, editable=False)
    claimant = models.CharField(max_length=200, blank=True)
    rating_text = models.CharField(
        max_length=200, blank=True, help_text=_("The publisher's rating, in words.")
    )
    rating_value = models.FloatField(
        null=True, blank=True, help_text=_("The publisher's rating as a number, if it gave one.")
    )
    review_url = models.URLField(max_length=1000)
    title = models.CharField(max_length=500, blank=True)
    date_published = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=20, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date_published", "-pk"]
        verbose_name = _("external fact-check")
        constraints = [
            models.UniqueConstraint(
                fields=["review_url", "claim_sha256"], name="external_factcheck_unique_review"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publisher_name or self.publisher_site}: {self.claim_text[:60]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A derived column, kept with the text it is derived from (not a business rule).
        self.claim_sha256 = self.claim_hash(self.claim_text)
        super().save(*args, **kwargs)

    @staticmethod
    def claim_hash(text: str) -> str:
        """The claim_sha256 of a claim text (with the review URL, a fact-check's identity)."""
        import hashlib

        return hashlib.sha256(text.encode("utf-8")).hexdigest()


class MatchDocument(models.Model):
    """One text in the similar-claims index (reviews/matching.py): a claim whose current verdict
    is published, or an external fact-check. Its terms are MatchTerm rows."""

    class Kind(models.TextChoices):
        OURS = "ours", _("Our published verdict")
        EXTERNAL = "external", _("Another publisher's fact-check")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    claim = models.OneToOneField(
        Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    verdict = models.ForeignKey(
        Verdict, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    external = models.OneToOneField(
        ExternalFactCheck,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="match_document",
    )
    length = models.PositiveIntegerField(help_text=_("Number of terms (BM25 length)."))

    class Meta:
        constraints = [
            # Ours point at a claim and its verdict; theirs at the external record; never both.
            models.CheckConstraint(
                condition=Q(
                    kind="ours",
                    claim__isnull=False,
                    verdict__isnull=False,
                    external__isnull=True,
                )
                | Q(
                    kind="external",
                    claim__isnull=True,
                    verdict__isnull=True,
                    external__isnull=False,
                ),
                name="match_document_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.claim_id or self.external_id}"


class MatchTerm(models.Model):
    """One term of one indexed text, with how often it occurs there (a posting)."""

    document = models.ForeignKey(MatchDocument, on_delete=models.CASCADE, related_name="terms")
    # Copied from the document so a search of one kind reads the postings without a join.
    kind = models.CharField(max_length=10, choices=MatchDocument.Kind.choices)
    term = models.CharField(max_length=40)
    count = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "term"], name="match_term_unique"),
        ]
        indexes = [models.Index(fields=["term", "kind"], name="match_term_lookup")]

    def __str__(self) -> str:
        return f"{self.term} x{self.count}"
