"""Version 1 of the CMS API, its schema and its docs (served without a CDN)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from reviews.api import (
    ArticleViewSet,
    ChangeFeedView,
    PublishedVerdictViewSet,
    SourceSnapshotView,
    SwaggerView,
)

router = DefaultRouter()
router.register("verdicts", PublishedVerdictViewSet, basename="verdict")
router.register("articles", ArticleViewSet, basename="article")

urlpatterns = [
    path("", include(router.urls)),
    path("changes/", ChangeFeedView.as_view(), name="changes"),
    path("sources/<int:pk>/snapshot/", SourceSnapshotView.as_view(), name="source-snapshot"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
]
