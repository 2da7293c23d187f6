from django.urls import path

from onward.presence import views

urlpatterns = [
    path("presence/scan/", views.scan, name="presence_scan"),
    path("presence/not-seen/", views.not_seen, name="presence_not_seen"),
    path("presence/follow-up/", views.follow_up, name="presence_follow_up"),
    path(
        "presence/follow-up/<str:person_id>/",
        views.follow_up_outcome,
        name="presence_follow_up_outcome",
    ),
    path("presence/persons/<str:person_id>/card/", views.card, name="presence_card"),
    path(
        "presence/persons/<str:person_id>/card/issue/",
        views.card_issue,
        name="presence_card_issue",
    ),
    path(
        "presence/persons/<str:person_id>/card/revoke/",
        views.card_revoke,
        name="presence_card_revoke",
    ),
    path("rollcalls/", views.rollcall_list, name="rollcall_list"),
    path("rollcalls/new/", views.rollcall_open, name="rollcall_open"),
    path("rollcalls/<int:roll_call_id>/", views.rollcall_detail, name="rollcall_detail"),
    path(
        "rollcalls/<int:roll_call_id>/blocks/<int:block_id>/",
        views.rollcall_sheet,
        name="rollcall_sheet",
    ),
    path("rollcalls/<int:roll_call_id>/mark/", views.rollcall_mark, name="rollcall_mark"),
    path("rollcalls/<int:roll_call_id>/close/", views.rollcall_close, name="rollcall_close"),
    path(
        "incidents/<int:incident_id>/blocks-hit/",
        views.incident_blocks,
        name="incident_blocks",
    ),
]
