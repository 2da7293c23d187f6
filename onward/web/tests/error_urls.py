"""A test-only URLconf: the real one, plus a page and an API call that fail."""

from django.urls import path
from rest_framework.views import APIView

from onward.urls import handler400, handler403, handler404, handler500  # noqa: F401
from onward.urls import urlpatterns as real

SECRET = "db-password=hunter2 in /srv/onward/settings.py"


def failing_page(request):
    raise RuntimeError(SECRET)


class FailingApi(APIView):
    def get(self, request):
        raise RuntimeError(SECRET)


urlpatterns = [
    path("boom/", failing_page),
    path("api/boom/", FailingApi.as_view()),
    *real,
]
