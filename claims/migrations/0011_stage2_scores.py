"""Stage 2: a refined check-worthiness score per claim and the model that gave it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("claims", "0010_user_language")]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="score_refined",
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="claim",
            name="scored_by",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.AddField(
            model_name="historicalclaim",
            name="score_refined",
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalclaim",
            name="scored_by",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.AddConstraint(
            model_name="claim",
            constraint=models.CheckConstraint(
                condition=models.Q(score_refined__isnull=True)
                | models.Q(score_refined__gte=0.0, score_refined__lte=1.0),
                name="claim_score_refined_between_0_and_1",
            ),
        ),
    ]
