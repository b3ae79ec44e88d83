"""``${var}``, ``${env:NAME}`` and ``${env:NAME:-default}`` in every string of a config.

Substitution happens on plain data before validation, so every error keeps its file position.
``$${`` writes a literal ``${``. A string that is exactly one ``${var}`` takes the variable's own
type (a number stays a number).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from golive.config.secrets import ENV_SECRET_KEYS, Secrets, is_secret_key
from golive.config.source import PathKey, Positions
from golive.exceptions import Issue

_REFERENCE = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_ENV = re.compile(r"env:([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?", re.DOTALL)


class _Unresolved(Exception):
    pass


class Interpolator:
    """Resolves references against ``variables`` and ``environ``; collects issues and secrets."""

    def __init__(
        self,
        variables: Mapping[str, Any],
        environ: Mapping[str, str],
        positions: Positions,
        secrets: Secrets,
    ) -> None:
        self.variables = dict(variables)
        self.environ = environ
        self.positions = positions
        self.secrets = secrets
        self.issues: list[Issue] = []
        self._env_derived: set[str] = set()
        self._last_from_env = False

    def resolve_variables(self, raw: Mapping[str, Any]) -> None:
        """Resolve ``vars`` in order; a variable may use env and the variables before it."""
        self.variables = {}
        for name, value in raw.items():
            self._last_from_env = False
            self.variables[name] = self.apply(value, ("vars", name))
            if self._last_from_env:
                self._env_derived.add(name)

    def apply(self, data: Any, path: PathKey) -> Any:
        if isinstance(data, str):
            return self._string(data, path)
        if isinstance(data, dict):
            return {k: self.apply(v, (*path, k)) for k, v in data.items()}
        if isinstance(data, list):
            return [self.apply(v, (*path, i)) for i, v in enumerate(data)]
        return data

    def _string(self, text: str, path: PathKey) -> Any:
        if "$" not in text:
            self._maybe_secret(text, [], path)
            return text
        env_pieces: list[str] = []
        whole = _REFERENCE.fullmatch(text)
        try:
            if whole and whole.group(1) is not None:
                result: Any = self._resolve(whole.group(1), env_pieces)
            else:
                pieces: list[str] = []
                position = 0
                for match in _REFERENCE.finditer(text):
                    pieces.append(text[position : match.start()])
                    if match.group(1) is None:
                        pieces.append("${")
                    else:
                        pieces.append(str(self._resolve(match.group(1), env_pieces)))
                    position = match.end()
                pieces.append(text[position:])
                result = "".join(pieces)
        except _Unresolved as exc:
            self.issues.append(Issue(str(exc), self.positions.value(path)))
            return text
        self._last_from_env = bool(env_pieces)
        if isinstance(result, str):
            self._maybe_secret(result, env_pieces, path)
        return result

    def _resolve(self, reference: str, env_pieces: list[str]) -> Any:
        value, from_env = self._lookup(reference)
        if from_env and isinstance(value, str | int | float):
            env_pieces.append(str(value))
        return value

    def _lookup(self, reference: str) -> tuple[Any, bool]:
        reference = reference.strip()
        env = _ENV.fullmatch(reference)
        if env:
            name, default = env.group(1), env.group(2)
            if name in self.environ:
                return self.environ[name], True
            if default is not None:
                return default, True
            raise _Unresolved(
                f"environment variable {name} is not set "
                f"(set it, or give a default with ${{env:{name}:-value}})"
            )
        if reference.startswith("env:"):
            raise _Unresolved(
                f"expected ${{env:NAME}} or ${{env:NAME:-default}}, got ${{{reference}}}"
            )
        if reference in self.variables:
            return self.variables[reference], reference in self._env_derived
        known = ", ".join(sorted(self.variables)) or "none"
        hint = difflib.get_close_matches(reference, list(self.variables), n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else f" (defined: {known})"
        raise _Unresolved(f"undefined variable '{reference}' in ${{{reference}}}{suggestion}")

    def _maybe_secret(self, value: str, env_pieces: list[str], path: PathKey) -> None:
        """What came from the environment into a url/dsn/token is secret (each piece as it came);
        so is the whole value of a field named like a secret."""
        key = next((p for p in reversed(path) if isinstance(p, str)), "")
        if key in ENV_SECRET_KEYS:
            for piece in env_pieces:
                self.secrets.add(piece)
        if isinstance(path[-1], str) and is_secret_key(key):
            self.secrets.add(value)
