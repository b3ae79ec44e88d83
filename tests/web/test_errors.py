"""Error answers repeat at most a little of what they were sent: a 100 KB body does not come
back in a 422 (or any other error)."""

from __future__ import annotations

import json

from tests.web.web_helpers import TestClient, bearer

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
        problems = answer.json()["detail"]
        assert problems and all({"loc", "msg", "type"} <= set(p) for p in problems)


def test_many_problems_are_summed_up(client: TestClient, tokens: dict[str, str]) -> None:
    labels = {f"label{i}": [i] for i in range(5000)}  # 5,000 values of the wrong type
    body = {"matchers": {"check": "db", "labels": labels}, "duration": "1h", "reason": "r"}
    answer = client.post("/api/silences", json=body, headers=bearer(tokens["operator"]))
    assert answer.status_code == 422
    assert len(answer.content) < SMALL_ANSWER
    problems = answer.json()["detail"]
    assert problems[-1]["type"] == "too_many_errors"
    assert problems[-1]["msg"].endswith("more problems not shown")


def test_a_short_input_is_still_quoted_whole(client: TestClient, tokens: dict[str, str]) -> None:
    body = {"matchers": "db", "duration": "1h", "reason": "r"}
    answer = client.post("/api/silences", json=body, headers=bearer(tokens["operator"]))
    assert answer.status_code == 422
    (problem,) = answer.json()["detail"]
    assert problem["loc"] == ["body", "matchers"] and problem["input"] == "db"


def test_other_errors_do_not_echo_a_long_value(client: TestClient, tokens: dict[str, str]) -> None:
    long_name = "y" * 20_000  # fits in a request line, and comes back in "unknown check ..."
    body = {"matchers": {"check": long_name}, "duration": "1h", "reason": "r"}
    answer = client.post("/api/silences", json=body, headers=bearer(tokens["operator"]))
    assert answer.status_code == 422
    assert len(answer.content) < SMALL_ANSWER
    assert long_name[:1000] not in json.dumps(answer.json())  # at most a prefix comes back
