"""Version 1 of the CMS API."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from reviews.api import ChangeFeedView, PublishedVerdictViewSet

router = DefaultRouter()
router.register("verdicts", PublishedVerdictViewSet, basename="verdict")

urlpatterns = [
    path("", include(router.urls)),
    path("changes/", ChangeFeedView.as_view(), name="changes"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
