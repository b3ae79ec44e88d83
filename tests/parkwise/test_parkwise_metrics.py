from __future__ import annotations

from fastapi.testclient import TestClient
from parkwise.app import create_app
from parkwise.settings import Settings

from golive.integrations.metrics import BUCKETS
from tests.devkit.parkwise import MakeClient, labels, samples


def test_requests_are_counted_by_route_template_not_raw_path(client: TestClient) -> None:
    client.get("/api/facilities/1")
    client.get("/api/facilities/2")
    client.get("/api/facilities/404")
    found = samples(client)
    assert found["http_requests_total", labels("/api/facilities/{id}")] == 2
    assert found["http_requests_total", labels("/api/facilities/{id}", status=404)] == 1
    assert not any("/api/facilities/1" in dict(lbl).get("route", "") for _, lbl in found)


def test_unknown_paths_share_one_label(client: TestClient) -> None:
    client.get("/wp-admin")
    client.get("/.env")
    found = samples(client)
    assert found["http_requests_total", labels("<unmatched>", status=404)] == 2


def test_a_wrong_method_is_labelled_with_the_route_it_hit(client: TestClient) -> None:
    client.delete("/api/facilities/1")
    found = samples(client)
    assert found["http_requests_total", labels("/api/facilities/{id}", "DELETE", 405)] == 1


def test_the_duration_histogram_has_the_agreed_buckets(client: TestClient) -> None:
    client.get("/health")
    found = samples(client)
    counts = [
        found[("http_request_duration_seconds_bucket", labels("/health", le=str(bound)))]
        for bound in BUCKETS
    ]
    assert counts == sorted(counts), "buckets are cumulative"
    assert counts[-1] == 1  # how many fall in the small buckets depends on the machine's load
    assert found["http_request_duration_seconds_count", labels("/health")] == 1


def test_each_app_has_its_own_registry(make_client: MakeClient) -> None:
    first, second = make_client(), make_client()
    first.get("/version")
    assert ("http_requests_total", labels("/version")) not in samples(second)


def test_an_unhandled_error_is_a_counted_json_500(
    settings: Settings, make_client: MakeClient
) -> None:
    app = create_app(settings)

    def explode() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/explode", explode)
    client = make_client(app)
    response = client.get("/explode")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal server error"}
    assert samples(client)["http_requests_total", labels("/explode", status=500)] == 1


def test_debug_mode_names_the_unhandled_error(settings: Settings, make_client: MakeClient) -> None:
    app = create_app(Settings(data_dir=settings.data_dir, debug=True))
    app.add_api_route("/explode", lambda: 1 / 0)
    response = make_client(app).get("/explode")
    assert response.status_code == 500
    assert response.json() == {"detail": "ZeroDivisionError: division by zero"}


def test_the_build_version_is_exported(make_client: MakeClient) -> None:
    found = samples(make_client(version="3.1.4"))
    assert found["parkwise_build_info", frozenset({"version": "3.1.4"}.items())] == 1
