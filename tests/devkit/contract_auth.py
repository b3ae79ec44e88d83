"""Schemathesis hooks of the contract test (loaded by ``st run`` through SCHEMATHESIS_HOOKS):
an admin token from ``golive token create``, and a fresh one whenever an answer is 401.

The fuzzer may revoke the very token it is using (``POST /api/tokens/{token_id}/revoke`` with
its id); the server is right to refuse it from then on, so the run takes a new one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import schemathesis

GOLIVE = [sys.executable, "-m", "golive"]
CONFIG_ENV = "GOLIVE_CONTRACT_CONFIG"  # the config file of the server under test


def new_admin_token(config: str) -> str:
    done = subprocess.run(
        [*GOLIVE, "token", "create", "--role", "admin", "--name", "fuzz", "-c", config],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()[0]


@schemathesis.auth()  # refetched on a 401 (schemathesis' default retry_on)
class AdminToken:
    def get(self, case: Any, context: Any) -> str:
        return new_admin_token(os.environ[CONFIG_ENV])

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
