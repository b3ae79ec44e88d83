"""``/backups``: each backup's catalog and its last restore drill, with every check."""

from __future__ import annotations

from pathlib import Path

from golive.backup.drill import run_drill
from golive.backup.run import run_backup
from golive.config import load_config
from tests.devkit.web import FakeRuntime, MakeClient, signed_in


async def test_the_page_lists_backups_and_the_drill_per_name(
    make_client: MakeClient, runtime: FakeRuntime, tmp_path: Path, config_path: Path
) -> None:
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "a.txt").write_text("a")
    config_path.write_text(
        config_path.read_text()
        + "backups:\n  - name: uploads\n    files: {paths: [uploads]}\n    to: {dir: b}\n"
        + "    rpo: 1d\n"
    )
    runtime.loaded = load_config(config_path, environ=runtime.environ)
    client = signed_in(make_client, runtime, "vic", "viewer")
    empty = client.get("/backups").text
    assert "No backups yet: <code>golive backup run uploads</code>" in empty
    assert "rpo 1d: no verified backup yet" in empty
    entry = await run_backup(
        runtime.loaded, "uploads", store=runtime.store, clock=runtime.clock, environ={}
    )
    await run_drill(runtime.loaded, "uploads", store=runtime.store, clock=runtime.clock, environ={})
    page = client.get("/backups").text
    assert "<strong>Passed</strong>" in page and "archive readable" in page
    assert f'<th scope="row">{entry.id}</th>' in page and "good" in page
    assert "no verified backup yet" not in page
