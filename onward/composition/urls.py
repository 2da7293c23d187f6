from django.urls import path

from onward.composition import views

urlpatterns = [
    path("cases/<str:case_id>/composition/", views.composition, name="case_composition"),
    path("cases/<str:case_id>/composition/move/", views.move, name="composition_move"),
    path("cases/<str:case_id>/composition/split/", views.split, name="composition_split"),
    path("cases/<str:case_id>/composition/link/", views.link, name="composition_link"),
    path(
        "cases/<str:case_id>/composition/changes/<int:change_id>/undo/",
        views.undo,
        name="composition_undo",
    ),
    path(
        "cases/<str:case_id>/composition/links/<int:link_id>/end/",
        views.link_end,
        name="composition_link_end",
    ),
]
