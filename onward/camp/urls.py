from django.urls import path

from onward.camp import views

urlpatterns = [
    path("camp/", views.occupancy, name="camp_occupancy"),
    path("camp/blocks/<int:block_id>/", views.block_detail, name="camp_block"),
    path("camp/allocate/", views.allocate, name="camp_allocate"),
]
