"""``serve``: real ``golive serve`` processes, stopped when the test ends, failed or not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.devkit.serve import Serve


@pytest.fixture
def serve() -> Iterator[Serve]:
    started = Serve()
    try:
        yield started
    finally:
        started.stop_all()
