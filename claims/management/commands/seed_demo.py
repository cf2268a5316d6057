"""Create the demo newsroom: users for each role and demo articles (the CMS key: api_key_create)."""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from claims import services
from claims.models import Article

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
# The outlet of the demo articles (seed_demo_desk finds them by it).
DEMO_OUTLET = "Harbourton Courier (demo)"

# Demo credentials are printed on purpose: this command is for a local demo, never production.
DEMO_USERS = [
    # username, password, first name, last name, group, is_staff, is_superuser
    ("editor", "demo-editor-pass", "Eda", "Morgan", "Editor", False, False),
    ("reviewer", "demo-reviewer-pass", "Rui", "Santos", "Reviewer", False, False),
    ("reviewer2", "demo-reviewer2-pass", "Noor", "Haddad", "Reviewer", False, False),
    ("admin", "demo-admin-pass", "Ada", "Lindqvist", "Admin", True, True),
]


class Command(BaseCommand):
    help = (
        "Create demo users (editor, reviewers, admin) and demo articles, with a claim at each "
        "stage of review."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="Where the app runs.")
        parser.add_argument(
            "--sources-url",
            default="",
            help="Where the demo source pages (claims/demo/sources) are served, e.g. "
            "http://127.0.0.1:8001 as `make run` does: the demo desk then cites one, which the "
            "worker archives.",
        )
        parser.add_argument(
            "--claims",
            type=int,
            default=0,
            help="Also bulk-insert this many claims (100 per article, with verdicts and "
            "evidence) to try the admin at newsroom scale, e.g. --claims 100000.",
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        for username, password, first, last, group, is_staff, is_superuser in DEMO_USERS:
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "is_staff": is_staff,
                    "is_superuser": is_superuser,
                    "email": f"{username}@newsroom.example",
                },
            )
            if created:
                user.set_password(password)
                user.save()
            if group:
                user.groups.add(Group.objects.get(name=group))
        editor = user_model.objects.get(username="editor")

        for path in sorted(DEMO_DIR.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            title, _, body = text.partition("\n")
            if Article.objects.filter(title=title.strip()).exists():
                continue
            services.article_import(title=title, body=body, created_by=editor, outlet=DEMO_OUTLET)

        # Other publishers' fact-checks (our own demo text), shown among "already checked"
        # matches; importing again updates them. By command name: claims does not import reviews.
        call_command(
            "import_claimreviews", str(DEMO_DIR / "claimreviews.jsonl"), stdout=self.stdout
        )
        # A claim at each stage before publication, walked there through the review services.
        call_command("seed_demo_desk", sources_url=options["sources_url"], stdout=self.stdout)

        if options["claims"]:
            # The same bulk seeding as `manage.py bench admin` (bench/admin.py).
            from bench.admin import seed

            seed(options["claims"], stdout=self.stdout)
            # The seeding writes published verdicts in bulk, past the services that keep the
            # "already checked" index current (reviews/matching.py): rebuild it once. By name,
            # so claims does not import reviews.
            call_command("matches_rebuild", stdout=self.stdout)

        self.stdout.write(self.style.SUCCESS("Demo newsroom ready. Log in as:"))
        for username, password, _, _, group, _, _ in DEMO_USERS:
            if group:
                self.stdout.write(f"  {group:<9} {username:<10} password: {password}")
        self.stdout.write(f"  The site: {options['url'].rstrip('/')}/")
