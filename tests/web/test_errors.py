"""Every error answer is one ``ErrorBody`` (type, detail, and a 422's problems with their
location and field), and repeats at most a little of what it was sent: a 100 KB body does not
come back in a 422 (or any other error)."""

from __future__ import annotations

import json

from tests.devkit.web import TestClient, bearer

BIG = "x" * 100_000
SMALL_ANSWER = 4_000  # bytes: a few problems, each quoting at most a short prefix


def test_a_422_does_not_echo_a_100_kb_body(client: TestClient, tokens: dict[str, str]) -> None:
    operator = bearer(tokens["operator"])
    bodies = [
        {"matchers": BIG, "reason": BIG, "duration": "1h"},  # wrong types: both are quoted
        [BIG],  # not an object at all
        {"matchers": {"check": "db"}, "duration": "1h", "reason": "r", BIG: 1},  # a huge key
        {"matchers": {"check": "db"}, "duration": [BIG] * 1, "reason": "r"},
    ]
    for body in bodies:
        answer = client.post("/api/silences", json=body, headers=operator)
        assert answer.status_code == 422, answer.text[:300]
        assert len(answer.content) < SMALL_ANSWER, len(answer.content)
        problems = answer.json()["problems"]
        assert problems and all(
            {"location", "field", "message", "type"} <= set(p) for p in problems
        )


def test_many_problems_are_summed_up(client: TestClient, tokens: dict[str, str]) -> None:
    labels = {f"label{i}": [i] for i in range(5000)}  # 5,000 values of the wrong type
    body = {"matchers": {"check": "db", "labels": labels}, "duration": "1h", "reason": "r"}
    answer = client.post("/api/silences", json=body, headers=bearer(tokens["operator"]))
    assert answer.status_code == 422
    assert len(answer.content) < SMALL_ANSWER
    body = answer.json()
    assert len(body["problems"]) == 10
    assert body["detail"].endswith("(and 5000 more problems)") or "more problems" in body["detail"]


def test_a_short_input_is_still_quoted_whole(client: TestClient, tokens: dict[str, str]) -> None:
    body = {"matchers": "db", "duration": "1h", "reason": "r"}
    answer = client.post("/api/silences", json=body, headers=bearer(tokens["operator"]))
    assert answer.status_code == 422
    (problem,) = answer.json()["problems"]
    assert problem["location"] == "body" and problem["field"] == "matchers"
    assert problem["input"] == "db"


def test_other_errors_do_not_echo_a_long_value(client: TestClient, tokens: dict[str, str]) -> None:
    long_name = "y" * 20_000  # fits in a request line, and comes back in "unknown check ..."
    body = {"matchers": {"check": long_name}, "duration": "1h", "reason": "r"}
    answer = client.post("/api/silences", json=body, headers=bearer(tokens["operator"]))
    assert answer.status_code in (409, 422)
    assert len(answer.content) < SMALL_ANSWER
    assert long_name[:1000] not in json.dumps(answer.json())  # at most a prefix comes back


def test_a_422_names_the_field_and_its_location(client: TestClient, tokens: dict[str, str]) -> None:
    answer = client.get("/api/alerts?limit=0", headers=bearer(tokens["viewer"]))
    assert answer.status_code == 422
    body = answer.json()
    assert body["type"] == "invalid_request"
    (problem,) = body["problems"]
    assert (problem["location"], problem["field"], problem["input"]) == ("query", "limit", "0")
    assert body["detail"] == f"query.limit: {problem['message']}"


def test_a_time_is_rfc_3339_text_not_a_number(client: TestClient, tokens: dict[str, str]) -> None:
    viewer = bearer(tokens["viewer"])
    assert client.get("/api/evidence?until=0.5", headers=viewer).status_code == 422
    assert client.get("/api/evidence?since=1800000000", headers=viewer).status_code == 422
    accepted = client.get("/api/evidence?until=2026-11-02T12:00:00.5%2B01:00", headers=viewer)
    assert accepted.status_code == 200


def test_a_body_that_is_not_json_is_a_400(client: TestClient, tokens: dict[str, str]) -> None:
    for path in ("/api/silences", "/api/tokens", "/api/gate/signoffs"):
        answer = client.post(
            path,
            content=b"\xff\xfe not json",
            headers={**bearer(tokens["admin"]), "Content-Type": "application/json"},
        )
        assert answer.status_code in (400, 422), path
        assert answer.json()["type"] in ("bad_request", "invalid_request"), path


def test_a_wrong_method_names_every_method_of_the_path(
    client: TestClient, tokens: dict[str, str]
) -> None:
    admin = bearer(tokens["admin"])
    for path in ("/api/silences", "/api/tokens", "/api/gate/signoffs"):
        answer = client.options(path, headers=admin)
        assert answer.status_code == 405
        assert answer.headers["allow"] == "GET, POST", path
        assert answer.json() == {"type": "method_not_allowed", "detail": "Method Not Allowed"}
    assert client.put("/api/reload", headers=admin).headers["allow"] == "POST"
