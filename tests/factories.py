"""factory_boy factories: each sets only what a test does not care about."""

import hashlib
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from claims.models import Article, Claim
from reviews.models import Evidence, Rating, Source, Verdict


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("test-pass-123")

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs: Any) -> None:
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


def _sha(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Test article {n}")
    body = "The mayor said 40 buses were bought. Ridership rose by 12% last year."
    body_sha256 = factory.LazyAttribute(lambda article: _sha(article.body))
    created_by = factory.SubFactory(UserFactory, role="Editor")


class ClaimFactory(factory.django.DjangoModelFactory):
    """A claim anchored to its own small article, so the offsets invariant holds."""

    class Meta:
        model = Claim

    text = factory.Sequence(lambda n: f"The council spent {n + 100} pounds on claim {n}.")
    article = factory.SubFactory(
        ArticleFactory, body=factory.LazyAttribute(lambda article: article.factory_parent.text)
    )
    start = 0
    end = factory.LazyAttribute(lambda claim: len(claim.text))
    position = 0
    score = 0.8
    reasons = factory.LazyFunction(lambda: ["states a figure"])


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    url = factory.Sequence(lambda n: f"https://news.example/story-{n}")


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    claim = factory.SubFactory(ClaimFactory)
    quote = "The budget papers give a different figure."
    added_by = factory.SubFactory(UserFactory, role="Reviewer")


def default_rating(label: str = "False") -> Rating:
    """A rating of the default scale shipped by the data migration."""
    return Rating.objects.get(scale__is_default=True, label=label)


class VerdictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Verdict

    claim = factory.SubFactory(ClaimFactory, status=Claim.Status.IN_REVIEW)
    rating = factory.LazyFunction(default_rating)
    summary = "The figure is wrong."
    author = factory.SubFactory(UserFactory, role="Reviewer")


def _webhook_secret() -> str:
    # Imported here: this factory is appended below the module's imports.
    from reviews.webhooks import secret_generate

    return secret_generate()


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    """A CMS endpoint subscribed to every kind of change; point `url` at a local server."""

    class Meta:
        model = "reviews.WebhookEndpoint"

    name = factory.Sequence(lambda n: f"CMS {n}")
    url = "http://127.0.0.1:9/hook"
    secret = factory.LazyFunction(_webhook_secret)
