from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from onward.registry import api as registry_api
from onward.registry import views as registry
from onward.web import views as web

admin.site.site_header = "Onward administration"

urlpatterns = [
    path("", web.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html",
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("persons/", registry.person_list, name="person_list"),
    path("persons/<str:person_id>/", registry.person_detail, name="person_detail"),
    path("persons/<str:person_id>/edit/", registry.person_edit, name="person_edit"),
    path("cases/", registry.case_list, name="case_list"),
    path("cases/new/", registry.case_create, name="case_create"),
    path("cases/<str:case_id>/", registry.case_detail, name="case_detail"),
    path("cases/<str:case_id>/edit/", registry.case_edit, name="case_edit"),
    path("cases/<str:case_id>/members/new/", registry.member_add, name="member_add"),
    path("cases/<str:case_id>/notes/", registry.note_add, name="note_add"),
    path("audit/", web.audit_list, name="audit_list"),
    path("api/persons/", registry_api.PersonListApi.as_view(), name="api_person_list"),
    path("api/persons/<str:person_id>/", registry_api.PersonDetailApi.as_view(),
         name="api_person_detail"),
    path("api/cases/", registry_api.CaseListApi.as_view(), name="api_case_list"),
    path("api/cases/<str:case_id>/", registry_api.CaseDetailApi.as_view(), name="api_case_detail"),
    path("api/cases/<str:case_id>/members/", registry_api.CaseMembersApi.as_view(),
         name="api_case_members"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("admin/", admin.site.urls),
]
