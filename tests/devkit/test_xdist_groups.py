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


ORDER = """
import os
from pathlib import Path

import pytest


@pytest.mark.parametrize("n", range({count}))
def test_it(n: int) -> None:
    with Path(os.environ["RECORD_DIR"], "order").open("a") as order:
        order.write(f"{{Path(__file__).parent.name}}/{{Path(__file__).stem}}\\n")
"""


def test_the_longest_work_is_handed_out_first(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECORD_DIR", str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    for package in ("tests", "tests/browser", "tests/other", "tests/serve"):
        pytester.mkpydir(package)
    files = {
        "browser/test_pages": 4,  # one group, 4 x 4 s expected
        "other/test_other": 6,  # six units of 0.5 s
        "serve/test_serve_process": 1,  # one unit of 18 s: by count it would come last
    }
    for name, count in files.items():
        (pytester.path / "tests" / f"{name}.py").write_text(ORDER.format(count=count))

    result = pytester.runpytest_subprocess(
        "-n", "1", "--dist", "loadgroup", "-p", "devkit.pytest_plugin", "-p", "no:randomly"
    )

    result.assert_outcomes(passed=11)
    order = (tmp_path / "order").read_text().split()
    assert (
        order
        == ["serve/test_serve_process"] + ["browser/test_pages"] * 4 + ["other/test_other"] * 6
    )
