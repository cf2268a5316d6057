"""The dashboard's agreement figure: the rating a verdict's author proposed at submission.

Verdicts submitted before this migration get the rating of their first history row noted
"submitted" (the submit service writes that note); those with no such row stay empty and the
dashboard counts them as "not recorded".
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps: Any, schema_editor: Any) -> None:
    """Proposed rating = the rating on each verdict's earliest "submitted" history row."""
    Verdict = apps.get_model("reviews", "Verdict")
    HistoricalVerdict = apps.get_model("reviews", "HistoricalVerdict")
    first: dict[int, int] = {}
    rows = (
        HistoricalVerdict.objects.filter(history_change_reason="submitted")
        .order_by("history_date", "history_id")
        .values_list("id", "rating_id")
    )
    for verdict_id, rating_id in rows.iterator(chunk_size=2000):
        first.setdefault(verdict_id, rating_id)
    for verdict_id, rating_id in first.items():
        # Only a verdict still submitted or published has a proposal standing.
        Verdict.objects.filter(
            models.Q(submitted_at__isnull=False) | models.Q(published_at__isnull=False),
            pk=verdict_id,
        ).update(proposed_rating_id=rating_id)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0011_rating_labels_es")]

    operations = [
        migrations.AddField(
            model_name="historicalverdict",
            name="proposed_rating",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="reviews.rating",
            ),
        ),
        migrations.AddField(
            model_name="verdict",
            name="proposed_rating",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="reviews.rating",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
