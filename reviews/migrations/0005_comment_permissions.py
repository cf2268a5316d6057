"""Data: reviewers and editors read and write claim comments and read corrections."""

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "Reviewer": ["add_comment", "view_comment", "view_verdictcorrection"],
    "Editor": ["add_comment", "view_comment", "view_verdictcorrection", "add_verdictcorrection"],
    "Admin": [
        "add_comment",
        "change_comment",
        "delete_comment",
        "view_comment",
        "add_verdictcorrection",
        "change_verdictcorrection",
        "delete_verdictcorrection",
        "view_verdictcorrection",
    ],
}


def forwards(apps: Any, schema_editor: Any) -> None:
    app_config = apps.get_app_config("reviews")
    original = getattr(app_config, "models_module", None)
    app_config.models_module = True  # migration state apps have none; the check needs one
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = original
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="reviews", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [("reviews", "0004_comments_corrections_withdrawal")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
