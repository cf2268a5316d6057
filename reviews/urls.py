"""Newsroom URLs of the review desk."""

from django.urls import path

from reviews import dashboard, matching_views, queue, search_views, views

app_name = "reviews"

urlpatterns = [
    path("queue/", queue.queue, name="queue"),
    path("articles/<int:pk>/matches/", matching_views.article_matches, name="article_matches"),
    path("search/", search_views.search, name="search"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/assignment/", views.claim_assign, name="claim_assign"),
    path("claims/<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("claims/<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("claims/<int:pk>/approval/", views.claim_approval, name="claim_approval"),
    path("claims/<int:pk>/reopen/", views.claim_reopen, name="claim_reopen"),
    path("claims/<int:pk>/verdict/", views.verdict_save, name="verdict_save"),
    path("verdicts/<int:pk>/submit/", views.verdict_submit, name="verdict_submit"),
    path("verdicts/<int:pk>/approve/", views.verdict_approve, name="verdict_approve"),
    path("verdicts/<int:pk>/return/", views.verdict_return, name="verdict_return"),
    path("verdicts/<int:pk>/correction/", views.verdict_correct, name="verdict_correct"),
    path("verdicts/<int:pk>/withdrawal/", views.verdict_withdraw, name="verdict_withdraw"),
    path("verdicts/<int:pk>/evidence-pack/", views.evidence_pack, name="evidence_pack"),
    path("sources/<int:pk>/", views.source_detail, name="source_detail"),
    path("sources/<int:pk>/status/", views.source_status, name="source_status"),
    path("snapshots/<int:pk>/", views.snapshot_detail, name="snapshot_detail"),
    path(
        "snapshots/<int:pk>/page-source/", views.snapshot_page_source, name="snapshot_page_source"
    ),
]
