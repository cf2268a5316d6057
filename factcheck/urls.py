"""Top-level URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.urls import include, path
from django.views import defaults


def health(request: HttpRequest) -> JsonResponse:
    """Liveness probe for the container health check."""
    return JsonResponse({"status": "ok"})


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """The icon, for browsers that ask for /favicon.ico on pages naming none (the admin's).

    A temporary redirect: the icon's static name changes with its content.
    """
    return HttpResponseRedirect(static("img/favicon.svg"))


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: JSON in the API's error shape under /api/, the newsroom's page elsewhere."""
    if request.path.startswith("/api/"):
        from reviews.api_errors import api_not_found

        return api_not_found(request)
    return defaults.page_not_found(request, exception)


handler404 = not_found

urlpatterns = [
    path("", include("claims.urls")),
    path("", include("reviews.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("reviews.api_urls", "api"), namespace="api")),
    path("health/", health, name="health"),
    path("favicon.ico", favicon, name="favicon"),
]
