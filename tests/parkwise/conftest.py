"""Fixtures for the ParkWise sample app: settings on a temporary SQLite file and clients."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

EXAMPLE_DIR = Path(__file__).resolve().parents[2] / "examples" / "parkwise"
if str(EXAMPLE_DIR) not in sys.path:
    sys.path.insert(0, str(EXAMPLE_DIR))

from fastapi import FastAPI  # noqa: E402
from parkwise.app import create_app  # noqa: E402
from parkwise.settings import Settings  # noqa: E402

from tests.devkit.parkwise import MakeClient, TestClient  # noqa: E402


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Defaults, with the SQLite file in this test's own directory."""
    return Settings(data_dir=tmp_path, secret_key="test-secret-key-0123456789")


@pytest.fixture
def make_client(settings: Settings) -> Iterator[MakeClient]:
    """``make_client(**overrides)`` starts the app (lifespan included) and returns a client."""
    with ExitStack() as stack:

        def make(app: FastAPI | None = None, **overrides: Any) -> TestClient:
            app = app or create_app(dataclasses.replace(settings, **overrides))
            return stack.enter_context(TestClient(app, raise_server_exceptions=False))

        yield make


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()
