"""``heartbeat:`` and ``steps:`` checks and ``workers:``: parsed and validated fully, with located
errors; heartbeats are judged from their pings, journeys are scheduled like any probe."""

from __future__ import annotations

from collections.abc import Callable

from golive.config import LoadedConfig
from golive.config.later_checks import StepsSpec

Errors = Callable[..., list[str]]
Load = Callable[..., LoadedConfig]

JOURNEY = """\
version: 1
project: shop
checks:
  - name: web
    http: {url: "http://127.0.0.1:1/"}
  - name: nightly
    heartbeat: {cron: "0 2 * * *", timezone: America/New_York, grace: 30m}
    expect: ["duration_s < 3600"]
  - name: journey
    steps:
      - name: login
        http: {url: "http://127.0.0.1:1/login", method: POST}
        expect: ["status == 200"]
        capture: {token: json.token}
      - name: book
        http: {url: "http://127.0.0.1:1/book", headers: {Authorization: "Bearer {{ token }}"}}
    expect: ["book.status == 201", "failed_step == null"]
"""


def test_heartbeat_and_steps_checks_load_and_journeys_are_scheduled(load: Load) -> None:
    loaded = load(JOURNEY)
    assert [c.name for c in loaded.runnable_checks()] == ["web", "journey"]
    assert [c.name for c in loaded.pushed_checks()] == ["nightly"]  # its pings are its runs
    assert loaded.later_checks() == []
    journey = loaded.config.check("journey")
    assert isinstance(journey.spec, StepsSpec)
    assert [step.name for step in journey.spec.steps] == ["login", "book"]
    assert [step.kind for step in journey.spec.steps] == ["http", "http"]
    assert len(loaded.expectations["journey"]) == 2


def test_a_heartbeat_schedule_is_validated_where_it_is_written(errors: Errors) -> None:
    text = JOURNEY.replace('cron: "0 2 * * *", timezone: America/New_York', 'cron: "61 2 * * *"')
    assert errors(text) == [
        "7:23: checks[nightly].heartbeat.cron: invalid cron expression '61 2 * * *': Bad minute"
    ]
    text = JOURNEY.replace("America/New_York", "Mars/Olympus")
    assert errors(text) == [
        "7:46: checks[nightly].heartbeat.timezone: expected a time zone such as UTC or "
        "Europe/Berlin, got 'Mars/Olympus'"
    ]
    text = JOURNEY.replace('cron: "0 2 * * *"', "period: 1d, cron: '0 2 * * *'")
    assert errors(text) == [
        "7:16: checks[nightly].heartbeat: a heartbeat needs exactly one of cron or period"
    ]


def test_a_misspelt_field_is_found_in_each_kind_of_expression(errors: Errors) -> None:
    text = (
        JOURNEY.replace("duration_s < 3600", "duration < 3600")
        .replace("json.token", "jsn.token")
        .replace('"status == 200"', '"stat == 200"')
        .replace("book.status == 201", "bok.status == 201")
    )
    found = errors(text)
    assert [line.split(": ", 2)[1] for line in found] == [
        "checks[nightly].expect",
        "checks[journey].steps[login].expect",
        "checks[journey].steps[login].capture",
        "checks[journey].expect",
    ]
    assert "did you mean 'duration_s'?" in found[0]
    assert found[2].startswith("14:26:") and "did you mean 'json'?" in found[2]
    assert "did you mean 'book'?" in found[3]


def test_a_value_no_earlier_step_captured_is_an_error(errors: Errors) -> None:
    text = JOURNEY.replace("{{ token }}", "{{ tokn }}").replace("name: book", "name: login")
    (found,) = errors(text)
    assert found.startswith("9:5: checks[journey]: ")
    assert "step name 'login' is used twice" in found
    assert "step 'login' uses {{ tokn }}, which no earlier step captures" in found


def test_a_step_cannot_be_a_journey_or_a_heartbeat(errors: Errors) -> None:
    text = JOURNEY.replace("tcp: {host: a, port: 1}", "x").replace(
        '        expect: ["status == 200"]\n', "        heartbeat: {period: 1d}\n", 1
    )
    (found,) = errors(text)
    assert "checks[journey].steps[login]" in found and "heartbeat" in found


def test_a_step_has_exactly_one_probe(errors: Errors) -> None:
    text = JOURNEY.replace(
        '        expect: ["status == 200"]\n', "        tcp: {host: a, port: 1}\n", 1
    )
    (found,) = errors(text)
    assert found.startswith("11:9: checks[journey].steps[login]: a step needs exactly one probe")
    assert found.endswith("found http, tcp")


WORKERS = """\
version: 1
project: shop
workers: {broker: "redis://127.0.0.1:6379/1", regions: [us-east, eu-west]}
checks:
  - name: web
    http: {url: "http://127.0.0.1:1/"}
    regions: [us-east, eu-west]
    quorum: 2
"""


def test_workers_and_the_regions_checks_name(load: Load, errors: Errors) -> None:
    loaded = load(WORKERS)
    assert loaded.config.workers.regions == ["us-east", "eu-west"]
    assert errors(
        WORKERS.replace("[us-east, eu-west]\n    quorum", "[us-east, eu-wset]\n    quorum")
    ) == ["7:24: unknown region 'eu-wset'; did you mean 'eu-west'?"]
    assert errors(WORKERS.replace("quorum: 2", "quorum: 3")) == [
        "5:5: checks[web]: quorum (3) is more than the check's regions (2)"
    ]
    assert errors(WORKERS.replace("    regions: [us-east, eu-west]\n", "").replace("2", "3")) == [
        "7:13: quorum (3) is more than workers.regions (2)"
    ]
    assert errors(WORKERS.replace("redis://", "http://"))[0].startswith(
        "3:19: workers.broker: expected a broker URL (redis://"
    )
    assert errors(
        WORKERS.replace("regions: [us-east, eu-west]}", "regions: [us-east, us-east]}")
    ) == [
        "3:66: duplicate region name 'us-east'",
        "7:24: unknown region 'eu-west'; did you mean 'us-east'?",
    ]


def test_a_backup_names_the_region_whose_workers_take_it(load: Load, errors: Errors) -> None:
    text = WORKERS + (
        "backups:\n"
        "  - name: db\n"
        '    files: {paths: ["data"]}\n'
        "    to: {dir: b}\n"
        "    region: eu-west\n"
    )
    assert load(text).config.backups[0].region == "eu-west"
    assert errors(text.replace("region: eu-west", "region: eu-wset")) == [
        "13:13: unknown region 'eu-wset'; did you mean 'eu-west'?"
    ]
