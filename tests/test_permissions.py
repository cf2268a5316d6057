"""Role x URL x method: no newsroom page or action answers a role that lacks its permission.

Every URL name in the `claims` and `reviews` namespaces is found by walking the resolver and
requested with GET and POST (a real object's pk in `<int:pk>`, and form data that would work) by
each role: anonymous (redirected to the login page, never served), an account with no role (the
CMS integration user: 403 everywhere), a reviewer, a second reviewer, an editor and an admin.

The permission each URL needs and the permissions each role has are literal tables here, so a
view guarded by the wrong permission, or a role that gains one, fails. A URL name missing from
the table fails too: a new page must say who may use it. A refusal must also change nothing in
the database; so must every post of the second reviewer, whose work is on someone else's claim.
"""

from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.models import Article, ArticleImport, Claim
from reviews.models import Evidence, Snapshot, Source, Verdict
from tests.factories import ClaimFactory, SourceFactory, UserFactory, VerdictFactory, default_rating
from tests.url_coverage import all_routes

pytestmark = [pytest.mark.django_db, pytest.mark.url_coverage_exempt]

# The permission each newsroom URL needs: the specification, kept by hand.
REQUIRED = {
    "claims:dashboard": "claims.view_claim",
    "claims:article_create": "claims.add_article",
    "claims:article_upload": "claims.add_article",
    "claims:article_fetch": "claims.add_article",
    "claims:article_import_detail": "claims.add_article",
    "claims:article_import_status": "claims.add_article",
    "claims:article_detail": "claims.view_article",
    "claims:article_revisions": "claims.view_article",
    "claims:claim_bulk": "claims.select_claim",
    "claims:claim_promote": "claims.select_claim",
    "claims:claim_select": "claims.select_claim",
    "claims:claim_dismiss": "claims.select_claim",
    "claims:claim_take": "reviews.add_verdict",
    "reviews:claim_detail": "claims.view_claim",
    "reviews:claim_assign": "claims.select_claim",
    "reviews:evidence_add": "reviews.add_evidence",
    "reviews:verdict_save": "reviews.add_verdict",
    "reviews:verdict_correct": "reviews.approve_verdict",
    "reviews:comment_add": "reviews.add_comment",
    "reviews:claim_approval": "claims.view_claim",
    "reviews:claim_reopen": "reviews.approve_verdict",
    "reviews:verdict_withdraw": "reviews.approve_verdict",
    "reviews:evidence_pack": "reviews.view_verdict",
    "claims:claim_restore": "claims.select_claim",
    "reviews:queue": "claims.view_claim",
    "reviews:search": "claims.view_claim",
    "reviews:dashboard": "claims.view_claim",
    "reviews:article_matches": "claims.view_claim",
    "claims:language_set": "claims.view_claim",
    "claims:article_rerank_status": "claims.view_article",
    "reviews:verdict_submit": "reviews.add_verdict",
    "reviews:verdict_approve": "reviews.approve_verdict",
    "reviews:verdict_return": "reviews.approve_verdict",
    "reviews:source_detail": "reviews.view_source",
    "reviews:source_status": "reviews.view_source",
    "reviews:snapshot_detail": "reviews.view_source",
    "reviews:snapshot_page_source": "reviews.view_source",
}

_REVIEWER = {
    "claims.view_article",
    "claims.view_claim",
    "reviews.add_comment",
    "reviews.add_evidence",
    "reviews.add_verdict",
    "reviews.view_source",
    "reviews.view_verdict",
}
_ALL = set(REQUIRED.values())
# Which of those permissions each role has (reviews/migrations/0002_default_scale_and_roles.py).
GRANTED: dict[str, set[str]] = {
    "anonymous": set(),
    "no_role": set(),
    "reviewer": _REVIEWER,
    "second_reviewer": _REVIEWER,
    "editor": _ALL,
    "admin": _ALL,
}
ROLES = list(GRANTED)
METHODS = ["get", "post"]

# Every newsroom URL name with its route, from the resolver (new pages are picked up).
NEWSROOM_ROUTES = {
    route.view_name: route.route
    for route in all_routes()
    if route.view_name.split(":")[0] in {"claims", "reviews"}
}
NEWSROOM = sorted(NEWSROOM_ROUTES)


@dataclass
class World:
    """The users and one object of each kind that the URLs take a pk of."""

    users: dict[str, Any]
    article: Article
    claim: Claim
    verdict: Verdict
    source: Source
    snapshot: Snapshot
    article_import: ArticleImport

    def pk_for(self, view_name: str) -> dict[str, int]:
        """The URL's kwargs: the pk of the object named by the path segments before it."""
        route = NEWSROOM_ROUTES[view_name]
        if "<int:pk>" not in route:
            return {}
        kind = route.split("/<int:pk>/")[0]
        objects = {
            "articles/imports": self.article_import,
            "articles": self.article,
            "claims": self.claim,
            "verdicts": self.verdict,
            "sources": self.source,
            "snapshots": self.snapshot,
        }
        assert kind in objects, f"{view_name}: which object does {kind}/<int:pk>/ take?"
        return {"pk": objects[kind].pk}


# Form data that would work for a role allowed to post it, so a leak would show as a change.
POST_DATA: dict[str, Callable[[World], dict[str, Any]]] = {
    "reviews:comment_add": lambda w: {"body": "Matrix comment."},
    "reviews:claim_reopen": lambda w: {"note": "Matrix note."},
    "reviews:verdict_withdraw": lambda w: {"note": "Matrix note."},
    "reviews:verdict_correct": lambda w: {
        "rating": default_rating("True").pk,
        "summary": "Matrix correction.",
        "note": "Matrix note.",
        "version": w.verdict.version,
    },
    "claims:article_create": lambda w: {"title": "Matrix", "body": "The council spent 12 pounds."},
    "claims:article_upload": lambda w: {
        "title": "Matrix",
        "file": SimpleUploadedFile("m.txt", b"The council spent 12 pounds.", "text/plain"),
    },
    # Queued only: the job is never run here, and nothing listens on port 9 of this machine.
    "claims:article_fetch": lambda w: {"url": "http://127.0.0.1:9/story"},
    "claims:claim_bulk": lambda w: {"claims": [w.claim.pk], "action": "dismiss"},
    "claims:claim_promote": lambda w: {"start": 0},
    "reviews:claim_assign": lambda w: {
        "assignee": w.users["second_reviewer"].pk,
        "priority": Claim.Priority.URGENT,
        "version": w.claim.version,
    },
    "reviews:evidence_add": lambda w: {"note": "Matrix note.", "stance": "context"},
    "reviews:verdict_save": lambda w: {
        "rating": default_rating("True").pk,
        "summary": "Matrix summary.",
        "version": w.verdict.version,
    },
    "reviews:verdict_approve": lambda w: {"version": w.verdict.version},
    "reviews:verdict_return": lambda w: {"version": w.verdict.version, "note": "Matrix note."},
}


@pytest.fixture
def world(db: None) -> World:
    reviewer = UserFactory(username="m-reviewer", role="Reviewer")
    users = {
        "anonymous": None,
        "no_role": UserFactory(username="m-cms"),  # active, in no group
        "reviewer": reviewer,
        "second_reviewer": UserFactory(username="m-reviewer2", role="Reviewer"),
        "editor": UserFactory(username="m-editor", role="Editor"),
        # The Admin group's permissions, not the superuser shortcut.
        "admin": UserFactory(username="m-admin", role="Admin", is_staff=True),
    }
    claim = ClaimFactory(status=Claim.Status.AWAITING_APPROVAL, assignee=reviewer)
    verdict = VerdictFactory(claim=claim, author=reviewer, submitted_at=timezone.now())
    source = SourceFactory(fetch_status=Source.FetchStatus.FETCHED, text="Archived text.")
    snapshot = Snapshot.objects.create(
        source=source,
        final_url=source.url,
        http_status=200,
        content_type="text/html",
        text="Archived text.",
        body_sha256="0" * 64,
        body="snapshots/missing.html.gz",
        fetched_at=timezone.now(),
    )
    article_import = ArticleImport.objects.create(
        url="https://example.com/story", requested_by=users["editor"]
    )
    return World(users, claim.article, claim, verdict, source, snapshot, article_import)


def _state() -> tuple[Any, ...]:
    """Everything an action could change."""
    return (
        list(Article.objects.order_by("pk").values_list("pk", "title")),
        list(
            Claim.objects.order_by("pk").values_list(
                "pk", "status", "assignee", "priority", "version"
            )
        ),
        list(
            Verdict.objects.order_by("pk").values_list(
                "pk", "version", "summary", "submitted_at", "published_at", "is_current"
            )
        ),
        list(Evidence.objects.order_by("pk").values_list("pk")),
        list(Source.objects.order_by("pk").values_list("pk", "fetch_status")),
        list(ArticleImport.objects.order_by("pk").values_list("pk", "status")),
    )


def _client(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_table_names_every_newsroom_url_and_nothing_else() -> None:
    assert NEWSROOM, "the resolver walk found no newsroom URLs"
    assert set(NEWSROOM) - set(REQUIRED) == set(), "add these URL names to REQUIRED"
    assert set(REQUIRED) - set(NEWSROOM) == set(), "these URL names no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_has_exactly_the_permissions_the_table_says(world: World, role: str) -> None:
    user = world.users[role]
    if user is None:
        return  # anonymous: nothing to ask the database
    granted = {permission for permission in _ALL if user.has_perm(permission)}
    assert granted == GRANTED[role]
    assert not user.is_superuser


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", NEWSROOM)
def test_no_role_gets_past_a_permission_it_lacks(world: World, name: str, role: str) -> None:
    if name not in REQUIRED:
        pytest.fail(f"{name} is not in REQUIRED: say which permission it needs")
    allowed = REQUIRED[name] in GRANTED[role]
    client = _client(world.users[role])
    for method in METHODS:
        path = reverse(name, kwargs=world.pk_for(name))
        data = POST_DATA.get(name, lambda w: {})(world) if method == "post" else {}
        before = _state()
        response = getattr(client, method)(path, data)
        where = f"{role} {method.upper()} {path} ({name})"
        location = response.get("Location", "")
        if role == "anonymous":
            assert response.status_code == HTTPStatus.FOUND, where
            assert location.startswith("/login/?next="), where
        elif not allowed:
            assert response.status_code == HTTPStatus.FORBIDDEN, where
        else:
            assert response.status_code != HTTPStatus.FORBIDDEN, where
            assert not location.startswith("/login/"), where
        if not allowed or role == "second_reviewer":
            assert _state() == before, f"{where} changed the database"
        world.claim.refresh_from_db()
        world.verdict.refresh_from_db()
