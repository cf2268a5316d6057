"""Spanish labels and descriptions on ratings, filled in for the default scale."""

from typing import Any

from django.db import migrations, models

DEFAULT_SCALE = "Truth scale"
# English label -> (Spanish label, Spanish description), the newsroom's own wording.
SPANISH = {
    "True": ("Verdadero", "La afirmación es exacta y no le falta nada significativo."),
    "Mostly true": (
        "Mayormente verdadero",
        "Es exacta, pero necesita aclaraciones o más contexto.",
    ),
    "Half true": (
        "Verdad a medias",
        "Es exacta en parte; omite detalles importantes o saca las cosas de contexto.",
    ),
    "Mostly false": (
        "Mayormente falso",
        "Contiene un elemento de verdad, pero ignora hechos que cambian el panorama.",
    ),
    "False": ("Falso", "La afirmación no es exacta."),
    "Misleading": (
        "Engañoso",
        "Usa cifras o hechos exactos para dar una impresión falsa.",
    ),
    "Unproven": (
        "Sin pruebas",
        "No hay evidencia suficiente para calificar la afirmación en un sentido u otro.",
    ),
}


def forwards(apps: Any, schema_editor: Any) -> None:
    """Give the default scale's ratings their Spanish wording, where none is set yet."""
    Rating = apps.get_model("reviews", "Rating")
    for rating in Rating.objects.filter(scale__name=DEFAULT_SCALE, label__in=SPANISH):
        label_es, description_es = SPANISH[rating.label]
        changed = False
        if not rating.label_es:
            rating.label_es = label_es
            changed = True
        if not rating.description_es:
            rating.description_es = description_es
            changed = True
        if changed:
            rating.save(update_fields=["label_es", "description_es"])


class Migration(migrations.Migration):
    dependencies = [("reviews", "0010_external_factchecks")]

    operations = [
        migrations.AddField(
            model_name="rating",
            name="label_es",
            field=models.CharField(blank=True, max_length=60, verbose_name="label (Spanish)"),
        ),
        migrations.AddField(
            model_name="rating",
            name="description_es",
            field=models.TextField(blank=True, verbose_name="description (Spanish)"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
