"""A URLconf for the benchmark instrumentation's tests: the bare view, and a view that runs three queries."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path

from subsidia.core import bench
from subsidia.core.access import PUBLIC, access


@access(PUBLIC)
def three_queries(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        for n in range(3):
            cursor.execute("SELECT %s", [n])
    return HttpResponse("three")


urlpatterns = [
    path(bench.BARE_PATH, bench.bare),
    path("three/", three_queries),
]
