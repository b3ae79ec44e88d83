"""Under ``--dist loadgroup`` the browser tests run on one xdist worker."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RECORD = """
import os
from pathlib import Path

import pytest


@pytest.mark.parametrize("n", range(6))
def test_it(n: int) -> None:
    name = f"{Path(__file__).parent.name}-{Path(__file__).stem}-{n}"
    Path(os.environ["RECORD_DIR"], name).write_text(os.environ["PYTEST_XDIST_WORKER"])
"""


def test_the_browser_tests_share_one_worker_and_the_rest_spread(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = tmp_path / "workers"
    record.mkdir()
    monkeypatch.setenv("RECORD_DIR", str(record))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    for package in ("tests", "tests/browser", "tests/other"):
        pytester.mkpydir(package)
    for module in ("test_pages", "test_accessibility"):
        (pytester.path / "tests" / "browser" / f"{module}.py").write_text(RECORD)
    (pytester.path / "tests" / "other" / "test_other.py").write_text(RECORD)

    result = pytester.runpytest_subprocess(
        "-n", "3", "--dist", "loadgroup", "-p", "devkit.pytest_plugin", "-p", "no:cacheprovider"
    )

    result.assert_outcomes(passed=18)
    workers = {path.name: path.read_text() for path in record.iterdir()}
    browser = {w for name, w in workers.items() if name.startswith("browser-")}
    other = {w for name, w in workers.items() if name.startswith("other-")}
    assert len(browser) == 1, workers
    assert len(other) >= 2, workers
