"""Data: the default rating scale and the Editor, Reviewer and Admin groups with permissions."""

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

DEFAULT_SCALE = "Truth scale"
RATINGS = [
    # (label, ClaimReview value or None for a non-ordinal label, description)
    ("True", 5, "The claim is accurate and nothing significant is missing."),
    ("Mostly true", 4, "Accurate, but needs clarification or extra context."),
    (
        "Half true",
        3,
        "Partly accurate; leaves out important details or takes things out of context.",
    ),
    ("Mostly false", 2, "Contains an element of truth but ignores facts that change the picture."),
    ("False", 1, "The claim is not accurate."),
    ("Misleading", None, "Accurate figures or facts used to give a false impression."),
    ("Unproven", None, "There is not enough evidence to rate the claim either way."),
]

REVIEWER = [
    "claims.view_article",
    "claims.view_claim",
    "reviews.view_source",
    "reviews.view_evidence",
    "reviews.add_evidence",
    "reviews.change_evidence",
    "reviews.view_verdict",
    "reviews.add_verdict",
    "reviews.change_verdict",
    "reviews.view_rating",
    "reviews.view_ratingscale",
]
EDITOR = [
    *REVIEWER,
    "claims.add_article",
    "claims.change_article",
    "claims.change_claim",
    "claims.select_claim",
    "reviews.approve_verdict",
]
ADMIN_APPS = ["claims", "reviews", "auth", "authtoken"]


def forwards(apps: Any, schema_editor: Any) -> None:
    # Permissions are normally created after all migrations; create them now so groups can use them.
    for app_config in apps.get_app_configs():
        original = getattr(app_config, "models_module", None)
        app_config.models_module = True  # migration state apps have none; the check needs one
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original

    RatingScale = apps.get_model("reviews", "RatingScale")
    Rating = apps.get_model("reviews", "Rating")
    if not RatingScale.objects.filter(name=DEFAULT_SCALE).exists():
        scale = RatingScale.objects.create(
            name=DEFAULT_SCALE, is_default=not RatingScale.objects.filter(is_default=True).exists()
        )
        for position, (label, value, description) in enumerate(RATINGS):
            Rating.objects.create(
                scale=scale,
                label=label,
                claimreview_value=value,
                description=description,
                position=position,
            )

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(names: list[str]) -> list[Any]:
        found = []
        for name in names:
            app_label, codename = name.split(".")
            found.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        return found

    Group.objects.get_or_create(name="Reviewer")[0].permissions.set(perms(REVIEWER))
    Group.objects.get_or_create(name="Editor")[0].permissions.set(perms(EDITOR))
    Group.objects.get_or_create(name="Admin")[0].permissions.set(
        Permission.objects.filter(content_type__app_label__in=ADMIN_APPS)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("claims", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
