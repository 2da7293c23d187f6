from django.urls import path

from onward.documents import views

urlpatterns = [
    path("persons/<str:person_id>/documents/", views.person_documents, name="person_documents"),
    path(
        "documents/versions/<int:version_id>/download/",
        views.document_download,
        name="document_download",
    ),
]
