from django.urls import path

from onward.dedup import views

urlpatterns = [
    path("duplicates/", views.dedup_queue, name="dedup_queue"),
    path("duplicates/run/", views.dedup_run, name="dedup_run"),
    path("duplicates/<int:pair_id>/", views.dedup_pair, name="dedup_pair"),
    path("duplicates/<int:pair_id>/decide/", views.dedup_decide, name="dedup_decide"),
    path("duplicates/merges/<int:merge_id>/approve/", views.dedup_approve, name="dedup_approve"),
    path("duplicates/merges/<int:merge_id>/undo/", views.dedup_unmerge, name="dedup_unmerge"),
]
