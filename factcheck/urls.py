"""Top-level URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, JsonResponse
from django.urls import include, path


def health(request: HttpRequest) -> JsonResponse:
    """Liveness probe for the container health check."""
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("", include("claims.urls")),
    path("", include("reviews.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("reviews.api_urls", "api"), namespace="api")),
    path("health/", health, name="health"),
]
