"""``/dora``: the four measures with their bands, and the failed changes."""

from __future__ import annotations

from datetime import timedelta

from golive.records import EvidenceRecord, RunSummary
from tests.devkit.web import NOW, FakeRuntime, MakeClient, signed_in


def finished(runtime: FakeRuntime, ago: timedelta, state: str, version: str) -> None:
    at = NOW - ago
    values = {
        "version": version,
        "commit": "abc",
        "state": state,
        "started_at": (at - timedelta(minutes=5)).isoformat(),
        "committed_at": (at - timedelta(hours=2)).isoformat(),
    }
    record = EvidenceRecord("rollout", "api", state == "promoted", at, at, values=values)
    runtime.store.record_run(RunSummary("rollout", "default", at, at), [record])


def test_the_page_shows_the_measures_bands_and_failed_changes(
    make_client: MakeClient, runtime: FakeRuntime
) -> None:
    for day in range(1, 4):
        finished(runtime, timedelta(days=day), "promoted", f"v{day}")
    finished(runtime, timedelta(days=5), "rolled_back", "v0")

    page = signed_in(make_client, runtime, "vic", "viewer").get("/dora").text
    assert "3 promoted, 1 rolled back, 0 aborted" in page
    assert (
        '<th scope="row">lead time for changes</th><td>median 2h 00m, p90 2h 00m</td><td>elite</td>'
        in page
    )
    assert '<th scope="row">change failure rate</th><td>25% (1 of 4)</td><td>low</td>' in page
    assert "<td>v0</td><td>rolled back</td>" in page
    assert '<a href="/dora" aria-current="page">DORA</a>' in page


def test_the_page_says_when_nothing_was_rolled_out(
    make_client: MakeClient, runtime: FakeRuntime
) -> None:
    page = signed_in(make_client, runtime, "vic", "viewer").get("/dora").text
    assert "No finished rollout in the last 30 days" in page
