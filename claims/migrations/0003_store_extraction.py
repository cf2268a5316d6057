"""Data: store the extraction result of articles imported before it was kept at import."""

from typing import Any

from django.conf import settings
from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from claims.extraction import extract  # pure: no Django, safe to import in a migration

    Article = apps.get_model("claims", "Article")
    threshold = settings.FACTCHECK_CANDIDATE_THRESHOLD
    for article in Article.objects.filter(extraction={}).only("pk", "body").iterator():
        result = extract(article.body, threshold=threshold)
        Article.objects.filter(pk=article.pk).update(
            extraction={
                "threshold": threshold,
                "sentences": [
                    {
                        "index": s.index,
                        "start": s.start,
                        "end": s.end,
                        "score": s.score,
                        "reasons": list(s.reasons),
                    }
                    for s in result.sentences
                ],
            }
        )


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_history_withdrawn_extraction")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
