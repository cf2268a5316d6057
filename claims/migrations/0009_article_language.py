"""Article language: "en" or "es", detected at import, chooses the segmenter's rules."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("claims", "0008_search")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="language",
            field=models.CharField(
                choices=[("en", "English"), ("es", "Spanish")],
                default="en",
                max_length=2,
                verbose_name="language",
            ),
        ),
        migrations.AddField(
            model_name="historicalarticle",
            name="language",
            field=models.CharField(
                choices=[("en", "English"), ("es", "Spanish")],
                default="en",
                max_length=2,
                verbose_name="language",
            ),
        ),
    ]
