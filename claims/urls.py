"""Newsroom URLs for articles and claims."""

from django.urls import path

from claims import views

app_name = "claims"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("articles/new/", views.article_create, name="article_create"),
    path("articles/upload/", views.article_upload, name="article_upload"),
    path("articles/fetch/", views.article_fetch, name="article_fetch"),
    path("articles/imports/<int:pk>/", views.article_import_detail, name="article_import_detail"),
    path(
        "articles/imports/<int:pk>/status/",
        views.article_import_status,
        name="article_import_status",
    ),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
    path("articles/<int:pk>/revisions/", views.article_revisions, name="article_revisions"),
    path("articles/<int:pk>/scores/", views.article_rerank_status, name="article_rerank_status"),
    path("articles/<int:pk>/claims/", views.claim_bulk, name="claim_bulk"),
    path("articles/<int:pk>/claims/new/", views.claim_promote, name="claim_promote"),
    path("claims/<int:pk>/select/", views.claim_select, name="claim_select"),
    path("claims/<int:pk>/dismiss/", views.claim_dismiss, name="claim_dismiss"),
    path("claims/<int:pk>/restore/", views.claim_restore, name="claim_restore"),
    path("claims/<int:pk>/take/", views.claim_take, name="claim_take"),
    path("language/", views.language_set, name="language_set"),
]
