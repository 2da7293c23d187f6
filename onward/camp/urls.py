from django.urls import path

from onward.camp import views

urlpatterns = [
    path("camp/", views.occupancy, name="camp_occupancy"),
    path("camp/blocks/<int:block_id>/", views.block_detail, name="camp_block"),
    path("camp/allocate/", views.allocate, name="camp_allocate"),
    path("camp/sites/", views.sites, name="camp_sites"),
    path("camp/sites/new/", views.site_create, name="camp_site_new"),
    path("camp/sites/<int:site_id>/edit/", views.site_edit, name="camp_site_edit"),
    path("camp/sites/<int:site_id>/blocks/new/", views.block_create, name="camp_block_new"),
    path("camp/blocks/<int:block_id>/edit/", views.block_edit, name="camp_block_edit"),
    path("camp/blocks/<int:block_id>/units/new/", views.unit_create, name="camp_unit_new"),
    path("camp/units/<int:unit_id>/edit/", views.unit_edit, name="camp_unit_edit"),
]
