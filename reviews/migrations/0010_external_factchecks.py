"""External fact-checks (imported ClaimReviews) and the similar-claims index."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

KINDS = [("ours", "Our published verdict"), ("external", "Another publisher's fact-check")]


class Migration(migrations.Migration):
    dependencies = [("reviews", "0009_search")]

    operations = [
        migrations.CreateModel(
            name="ExternalFactCheck",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("publisher_name", models.CharField(blank=True, max_length=200)),
                ("publisher_site", models.CharField(blank=True, max_length=200)),
                ("claim_text", models.TextField()),
                ("claim_sha256", models.CharField(editable=False, max_length=64)),
                ("claimant", models.CharField(blank=True, max_length=200)),
                (
                    "rating_text",
                    models.CharField(
                        blank=True, help_text="The publisher's rating, in words.", max_length=200
                    ),
                ),
                (
                    "rating_value",
                    models.FloatField(
                        blank=True,
                        help_text="The publisher's rating as a number, if it gave one.",
                        null=True,
                    ),
                ),
                ("review_url", models.URLField(max_length=1000)),
                ("title", models.CharField(blank=True, max_length=500)),
                ("date_published", models.DateField(blank=True, null=True)),
                ("language", models.CharField(blank=True, max_length=20)),
                ("imported_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "verbose_name": "external fact-check",
                "ordering": ["-date_published", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("review_url", "claim_sha256"),
                        name="external_factcheck_unique_review",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="MatchDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(choices=KINDS, max_length=10)),
                (
                    "length",
                    models.PositiveIntegerField(help_text="Number of terms (BM25 length)."),
                ),
                (
                    "claim",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="claims.claim",
                    ),
                ),
                (
                    "external",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="match_document",
                        to="reviews.externalfactcheck",
                    ),
                ),
                (
                    "verdict",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="reviews.verdict",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="MatchTerm",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(choices=KINDS, max_length=10)),
                ("term", models.CharField(max_length=40)),
                ("count", models.PositiveSmallIntegerField()),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="terms",
                        to="reviews.matchdocument",
                    ),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name="matchdocument",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("claim__isnull", False),
                        ("external__isnull", True),
                        ("kind", "ours"),
                        ("verdict__isnull", False),
                    ),
                    models.Q(
                        ("claim__isnull", True),
                        ("external__isnull", False),
                        ("kind", "external"),
                        ("verdict__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="match_document_one_subject",
            ),
        ),
        migrations.AddIndex(
            model_name="matchterm",
            index=models.Index(fields=["term", "kind"], name="match_term_lookup"),
        ),
        migrations.AddConstraint(
            model_name="matchterm",
            constraint=models.UniqueConstraint(
                fields=("document", "term"), name="match_term_unique"
            ),
        ),
    ]
