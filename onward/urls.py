from importlib.util import find_spec

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.http import require_http_methods
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from onward.web import views as web

admin.site.site_header = "Onward administration"

# Plain pages, or JSON under /api/: never a traceback (onward/web/errors.py).
handler400 = "onward.web.errors.bad_request"
handler403 = "onward.web.errors.permission_denied"
handler404 = "onward.web.errors.page_not_found"
handler500 = "onward.web.errors.server_error"

# Each domain app owns its URLs (pages and API) in its own urls.py.
DOMAIN_APPS = [
    "registry",
    "jobs",
    "dedup",
    "relocation",
    "matching",
    "movements",
    "incidents",
    "reports",
    "tasks",
    "interviews",
    "documents",
    "camp",
    "readiness",
    "presence",
    "consent",
    "composition",
    "retention",
    "letters",
]

urlpatterns = [
    path("", web.home, name="home"),
    # GET and POST only, checked before the view sends a signed-in user home.
    path(
        "login/",
        require_http_methods(["GET", "HEAD", "POST"])(
            auth_views.LoginView.as_view(
                template_name="web/login.html", redirect_authenticated_user=True
            )
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("onward.accounts.urls")),  # the second factor (docs/security.md)
    path("audit/", web.audit_list, name="audit_list"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script, so
    # the page works under the Content-Security-Policy.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api_schema", template_name="web/swagger_ui.html"
        ),
        name="api_docs",
    ),
    path("admin/", admin.site.urls),
]


def _has_urls(app: str) -> bool:
    return find_spec(f"onward.{app}") is not None and find_spec(f"onward.{app}.urls") is not None


urlpatterns += [path("", include(f"onward.{app}.urls")) for app in DOMAIN_APPS if _has_urls(app)]
