"""Bad input gets one clear line each: file, line, column and what was expected."""

from __future__ import annotations

from collections.abc import Callable

Errors = Callable[..., list[str]]


def test_invalid_yaml_points_at_the_syntax_error(errors: Errors) -> None:
    assert errors("version: 1\nproject: [shop\n") == [
        "3:1: invalid YAML: did not find expected ',' or ']'"
    ]


def test_a_duplicate_key_is_rejected(errors: Errors) -> None:
    assert errors("version: 1\nproject: a\nproject: b\n") == ["3:1: duplicate key 'project'"]


def test_an_unknown_key_suggests_the_closest_one(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    checks:
      - name: web
        http: {url: "http://127.0.0.1:1/"}
        timout: 5s
    """
    assert errors(text) == ["6:5: checks[web]: unknown key 'timout'; did you mean 'timeout'?"]


def test_a_wrong_type_names_the_key_and_expectation(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    checks:
      - name: web
        http: {url: "http://127.0.0.1:1/"}
        every: often
    """
    assert errors(text) == [
        "6:12: checks[web].every: expected a duration such as 250ms, 30s, 5m, 6h, 30d or 1w, got 'often'"
    ]


def test_a_missing_required_key_points_at_its_parent(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    checks:
      - name: web
        http: {method: GET}
    """
    assert errors(text) == ["5:11: checks[web].http: missing required key 'url'"]


def test_an_undefined_variable_suggests_a_defined_one(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    vars: {base_url: "http://127.0.0.1:8000"}
    checks:
      - name: web
        http: {url: "${base_rul}/health"}
    """
    assert errors(text) == [
        "6:17: undefined variable 'base_rul' in ${base_rul}; did you mean 'base_url'?"
    ]


def test_an_unset_environment_variable_says_how_to_default_it(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    checks:
      - name: db
        tcp: {host: "${env:DB_HOST}", port: 5432}
    """
    assert errors(text) == [
        "5:17: environment variable DB_HOST is not set (set it, or give a default with ${env:DB_HOST:-value})"
    ]


def test_a_bad_expression_is_a_config_error(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    checks:
      - name: web
        http: {url: "http://127.0.0.1:1/"}
        expect: ["status ==", "statsu == 200"]
    """
    found = errors(text)
    assert len(found) == 2
    assert found[0].startswith("6:14: checks[web].expect: invalid expression 'status ==': ")
    assert (
        found[1]
        == "6:27: checks[web].expect: unknown field 'statsu' in 'statsu == 200'; did you mean 'status'?"
    )


def test_a_reference_to_a_missing_check_is_located(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    checks:
      - name: api
        http: {url: "http://127.0.0.1:1/"}
        depends_on: [postgress]
      - name: postgres
        tcp: {host: 127.0.0.1, port: 5432}
    """
    assert errors(text) == ["6:18: unknown check 'postgress'; did you mean 'postgres'?"]


def test_duplicate_check_names_are_rejected(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    checks:
      - {name: web, tcp: {host: 127.0.0.1, port: 80}}
      - {name: web, tcp: {host: 127.0.0.1, port: 81}}
    """
    assert errors(text) == ["5:12: duplicate check name 'web'"]


def test_a_dependency_loop_is_rejected(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    checks:
      - {name: a, tcp: {host: 127.0.0.1, port: 80}, depends_on: [b]}
      - {name: b, tcp: {host: 127.0.0.1, port: 81}, depends_on: [a]}
    """
    assert errors(text) == ["4:61: checks depend on each other in a loop: a → b → a"]


def test_a_check_needs_exactly_one_probe(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    checks:
      - name: both
        tcp: {host: 127.0.0.1, port: 80}
        http: {url: "http://127.0.0.1/"}
    """
    (found,) = errors(text)
    assert found.startswith("4:5: checks[both]: a check needs exactly one probe (http, tcp, ")
    assert found.endswith("; found http, tcp")


def test_names_must_be_lowercase(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    checks:
      - {name: Web, tcp: {host: 127.0.0.1, port: 80}}
    """
    assert errors(text) == [
        "4:12: checks[Web].name: names are lowercase letters, digits and '-', got 'Web'"
    ]


def test_an_unknown_environment_suggests_a_known_one(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    environments:
      production: {vars: {x: 1}}
    """
    assert errors(text, env="prodution") == [
        "4:3: unknown environment 'prodution'; did you mean 'production'?"
    ]


def test_every_problem_is_reported_at_once(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    checks:
      - {name: a, tcp: {host: 127.0.0.1, port: 99999}}
      - {name: b, tcp: {host: 127.0.0.1, port: 80}, severity: urgent}
    """
    found = errors(text)
    assert len(found) == 2
    assert found[0].startswith(
        "4:44: checks[a].tcp.port: Input should be less than or equal to 65535"
    )
    assert found[1].startswith(
        "5:59: checks[b].severity: Input should be 'critical', 'high', 'medium' or 'low'"
    )


def test_a_list_variable_cannot_be_part_of_a_string(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    vars: {hosts: [a, b]}
    checks:
      - name: web
        http: {url: "http://${hosts}/"}
    """
    assert errors(text) == [
        "6:17: a list cannot be part of a longer string; use its reference alone"
    ]


def test_an_unclosed_reference_is_reported(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    checks:
      - name: web
        http: {url: "http://${host/"}
    """
    assert errors(text) == ["5:17: unclosed reference in 'http://${host/': expected '}'"]


def test_a_request_has_one_body(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    checks:
      - name: web
        http: {url: "http://127.0.0.1/", method: POST, body: "x", json: {a: 1}}
    """
    assert errors(text) == [
        "5:11: checks[web].http: give `body` or `json` as the request body, not both"
    ]


def test_a_bad_rate_limit_budget_says_how_to_write_one(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    server:
      rate_limits: {per_user: 2.5/s}
    """
    assert errors(text) == [
        "4:27: server.rate_limits.per_user: expected a budget such as 600/m, 10/s or 1000/h,"
        " got '2.5/s'"
    ]


def test_a_function_the_engine_lacks_is_a_config_error_with_a_hint(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    checks:
      - name: disk
        command: {run: "echo 41"}
        expect: ['int(stdout.strip()) == 41', 'matches(stdout, "4")']
    """
    assert errors(text) == [
        "6:14: checks[disk].expect: unknown function 'strip' in 'int(stdout.strip()) == 41';"
        " did you mean 'trim'?",
        "6:43: checks[disk].expect: 'matches' is a method in 'matches(stdout, \"4\")';"
        " write x.matches(...), not matches(x, ...)",
    ]


def test_an_alert_condition_with_an_unknown_function_is_located(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    checks:
      - {name: db, tcp: {host: 127.0.0.1, port: 5432}}
    alerts:
      - {name: slow, check: db, when: "math.max(latency_ms, 1) > 300"}
    """
    assert errors(text) == [
        "6:35: alerts[slow].when: unknown function 'math.max' in 'math.max(latency_ms, 1) > 300';"
        " did you mean 'math.greatest'?"
    ]
