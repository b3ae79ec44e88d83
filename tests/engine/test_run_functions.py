"""Expressions that call the strings functions run on every probe run, end to end."""

from __future__ import annotations

from pathlib import Path

from golive.clock import ManualClock
from golive.engine import run_checks
from tests.devkit.engine import config


async def test_a_number_cut_out_of_command_output_compares_as_a_number(tmp_path: Path) -> None:
    loaded = config(
        tmp_path,
        """
    - name: disk
      command: {run: "echo 'used: 41 %'"}
      expect: ["exit_code == 0", 'int(stdout.split(":")[1].replace("%", "").trim()) == 41']
    """,
    )
    (result,) = await run_checks(loaded, loaded.config.checks, clock=ManualClock())
    assert result.fields["stdout"] == "used: 41 %"
    assert (result.ok, result.failed) == (True, ())


async def test_a_failing_strings_expectation_reports_its_values(tmp_path: Path) -> None:
    loaded = config(
        tmp_path,
        """
    - name: version
      command: {run: "echo V2.1"}
      expect: ['stdout.trim().lowerAscii().startsWith("v3")']
    """,
    )
    (result,) = await run_checks(loaded, loaded.config.checks, clock=ManualClock())
    (failure,) = result.failed
    assert (failure.values, failure.error) == ({"stdout": "V2.1"}, None)
