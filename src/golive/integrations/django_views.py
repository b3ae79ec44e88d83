"""Django: the health report as a view.

    # urls.py
    from golive.integrations.django_views import health_view
    urlpatterns = [path("health", health_view(health))]

For request metrics, wrap Django's WSGI application (``wsgi.py``) with
``golive.integrations.wsgi.MetricsWSGI``, or its ASGI application (``asgi.py``) with
``golive.integrations.asgi.MetricsASGI`` given ``routes``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from golive.integrations.health import Health


def health_view(health: Health) -> Callable[[Any], Any]:
    """A Django view answering with the health report (``django.http.JsonResponse``)."""

    def view(request: Any) -> Any:
        from django.http import JsonResponse  # type: ignore[import-not-found]  # Django apps only

        status, body = health.report()
        response = JsonResponse(body, status=status)
        for name, value in health.headers.items():
            if name.lower() != "content-type":
                response[name] = value
        return response

    return view
