from django.urls import path

from onward.composition import api, views

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
    # The API: the same actions, each answering the case's composition as it now stands.
    path(
        "api/cases/<str:case_id>/composition/", api.CompositionApi.as_view(), name="api_composition"
    ),
    path(
        "api/cases/<str:case_id>/composition/move/",
        api.MoveApi.as_view(),
        name="api_composition_move",
    ),
    path(
        "api/cases/<str:case_id>/composition/split/",
        api.SplitApi.as_view(),
        name="api_composition_split",
    ),
    path(
        "api/cases/<str:case_id>/composition/link/",
        api.LinkApi.as_view(),
        name="api_composition_link",
    ),
    path(
        "api/cases/<str:case_id>/composition/changes/<int:change_id>/undo/",
        api.UndoApi.as_view(),
        name="api_composition_undo",
    ),
    path(
        "api/cases/<str:case_id>/composition/links/<int:link_id>/end/",
        api.LinkEndApi.as_view(),
        name="api_composition_link_end",
    ),
]
