"""Indexes for the admin's claim list filters at 100,000 claims (due date and last change).

Plain SQL (the same on SQLite and PostgreSQL) with no model state: the admin reads these
columns by range, nothing else in Django needs to know the indexes exist.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("claims", "0004_cms_export")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX claim_due_on ON claims_claim (due_on)",
            reverse_sql="DROP INDEX claim_due_on",
        ),
        migrations.RunSQL(
            "CREATE INDEX claim_updated_at ON claims_claim (updated_at)",
            reverse_sql="DROP INDEX claim_updated_at",
        ),
    ]
