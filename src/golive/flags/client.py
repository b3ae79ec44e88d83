"""``FlagClient``: the SDK an app embeds. It fetches the bulk definitions from ``golive serve``
(``GET /api/flags`` with ``If-None-Match``), evaluates locally with the same ``evaluate`` as the
server, refreshes in a background thread, and keeps the last-known flags (in memory and, when
``cache`` is given, on disk) while golive cannot be reached. It never raises into the app.

Standard library only (``urllib``, ``threading``, ``json``) besides ``mmh3``."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from golive.flags.evaluate import evaluate
from golive.flags.model import Evaluation, FlagDefinition

log = logging.getLogger("golive.flags")


@dataclass(frozen=True)
class Snapshot:
    """The flags the client evaluates with, and where they came from."""

    flags: Mapping[str, FlagDefinition] = field(default_factory=dict)
    environment: str | None = None
    etag: str | None = None
    source: str = "none"  # none | server | cache


class FlagClient:
    """``FlagClient(url, token)``: flags from the golive at ``url`` (a viewer token is enough).

    ``refresh`` seconds between background fetches (0: no thread; call ``refresh_now()``);
    ``cache``: a file that keeps the last answer across restarts of the app."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        refresh: float = 30.0,
        timeout: float = 5.0,
        cache: str | os.PathLike[str] | None = None,
    ) -> None:
        self.url = url.rstrip("/") + "/api/flags"
        self._token = token
        self.timeout = timeout
        self.cache = Path(cache) if cache is not None else None
        self.snapshot = self._read_cache()
        self.last_error: str | None = None
        self.last_success: float | None = None  # time.time() of the last answer from golive
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.refresh_now()
        if refresh > 0:
            self._thread = threading.Thread(
                target=self._loop, args=(refresh,), name="golive-flags", daemon=True
            )
            self._thread.start()

    @property
    def ready(self) -> bool:
        """Whether the client has flags to evaluate (from golive or from the cache)."""
        return self.snapshot.source != "none"

    def is_enabled(
        self, name: str, context: Mapping[str, Any] | None = None, *, default: bool = False
    ) -> bool:
        """The flag's value for ``context``; ``default`` when the flag is unknown."""
        return self.evaluation(name, context, default=default).value

    def evaluation(
        self, name: str, context: Mapping[str, Any] | None = None, *, default: bool = False
    ) -> Evaluation:
        """The flag's value with its reason; never raises."""
        snapshot = self.snapshot
        flag = snapshot.flags.get(name)
        if flag is None:
            code = "FLAG_NOT_FOUND" if self.ready else "PROVIDER_NOT_READY"
            detail = f"no flag {name!r}" if self.ready else "no flags fetched yet"
            return Evaluation(name, default, "ERROR", detail, None, code)
        if snapshot.environment is not None:
            if context is None:
                context = {"environment": snapshot.environment}
            elif isinstance(context, Mapping) and "environment" not in context:
                context = {"environment": snapshot.environment, **context}
        return evaluate(flag, context)

    def refresh_now(self) -> bool:
        """Fetch the definitions once; ``False`` (keeping the last-known flags) on any failure."""
        try:
            self._fetch()
        except Exception as exc:  # the app must keep running on whatever went wrong
            self.last_error = f"{type(exc).__name__}: {exc}"
            log.warning("golive flags: keeping the last-known flags (%s)", self.last_error)
            return False
        self.last_error = None
        self.last_success = time.time()
        return True

    def close(self) -> None:
        """Stop the background refresh."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 1)

    def __enter__(self) -> FlagClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _loop(self, every: float) -> None:
        while not self._stop.wait(every):
            self.refresh_now()

    def _fetch(self) -> None:
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        if self.snapshot.etag is not None:
            headers["If-None-Match"] = self.snapshot.etag
        request = urllib.request.Request(self.url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                body = answer.read()
                etag = answer.headers.get("ETag")
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return  # nothing changed since our ETag
            raise RuntimeError(f"golive answered {exc.code}") from None
        self.snapshot = self._parse(json.loads(body), etag, "server")
        self._write_cache(body, etag)

    @staticmethod
    def _parse(document: Mapping[str, Any], etag: str | None, source: str) -> Snapshot:
        flags = {f.name: f for f in (FlagDefinition.from_json(d) for d in document["flags"])}
        environment = document.get("environment")
        return Snapshot(flags, None if environment is None else str(environment), etag, source)

    def _read_cache(self) -> Snapshot:
        if self.cache is None:
            return Snapshot()
        try:
            kept = json.loads(self.cache.read_text())
            # the ETag is not reused: the first fetch asks for the whole document
            return self._parse(kept["document"], None, "cache")
        except FileNotFoundError:
            return Snapshot()
        except Exception as exc:
            log.warning("golive flags: ignoring the cache %s (%s)", self.cache, exc)
            return Snapshot()

    def _write_cache(self, body: bytes, etag: str | None) -> None:
        if self.cache is None:
            return
        try:
            partial = self.cache.with_name(self.cache.name + ".tmp")
            document = json.loads(body)
            partial.write_text(json.dumps({"etag": etag, "document": document}))
            partial.replace(self.cache)
        except OSError as exc:
            log.warning("golive flags: cannot write the cache %s (%s)", self.cache, exc)
