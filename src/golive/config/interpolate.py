"""``${var}``, ``${env:NAME}`` and ``${env:NAME:-default}`` in every string of a config.

Substitution happens on plain data before validation, so every error keeps its file position.
``$${`` writes a literal ``${``. A string that is exactly one ``${var}`` takes the variable's own
type (a number stays a number).
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from golive.config.secrets import ENV_SECRET_KEYS, Secrets, is_secret_key
from golive.config.source import PathKey, Positions
from golive.exceptions import Issue

_ENV = re.compile(r"env:([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?", re.DOTALL)


class _Unresolved(Exception):
    pass


def _locator(piece: str) -> bool:
    """A port or an IP address locates a service and opens nothing: not a secret."""
    if piece.isdigit():
        return True
    try:
        ipaddress.ip_address(piece)
    except ValueError:
        return False
    return True


def _closing_brace(text: str, start: int) -> int:
    """The index of the ``}`` that closes the ``${`` at ``start`` (references may nest)."""
    depth, index = 0, start
    while index < len(text):
        if text.startswith("${", index):
            depth += 1
            index += 2
            continue
        if text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise _Unresolved(f"unclosed reference in {text!r}: expected '}}'")


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
        env_pieces: list[str] = []
        try:
            result = self._substitute(text, env_pieces) if "$" in text else text
        except _Unresolved as exc:
            self.issues.append(Issue(str(exc), self.positions.value(path)))
            return text
        self._last_from_env = bool(env_pieces)
        if isinstance(result, str):
            self._maybe_secret(result, env_pieces, path)
        return result

    def _substitute(self, text: str, env_pieces: list[str]) -> Any:
        """Resolve every reference in ``text``; a text that is one reference keeps its type."""
        pieces: list[Any] = []
        position = 0
        while (start := text.find("$", position)) != -1:
            if text.startswith("$${", start):
                pieces.extend([text[position:start], "${"])
                position = start + 3
            elif text.startswith("${", start):
                end = _closing_brace(text, start)
                pieces.extend(
                    [text[position:start], self._resolve(text[start + 2 : end], env_pieces)]
                )
                position = end + 1
            else:
                pieces.append(text[position : start + 1])
                position = start + 1
        pieces.append(text[position:])
        parts = [p for p in pieces if p != ""]
        if len(parts) == 1 and not isinstance(parts[0], str):
            return parts[0]
        for part in parts:
            if isinstance(part, list | dict):
                kind = "list" if isinstance(part, list) else "mapping"
                raise _Unresolved(
                    f"a {kind} cannot be part of a longer string; use its reference alone"
                )
        return "".join(str(p) for p in parts)

    def _resolve(self, reference: str, env_pieces: list[str]) -> Any:
        value, from_env = self._lookup(reference, env_pieces)
        if from_env and isinstance(value, str | int | float):
            env_pieces.append(str(value))
        return value

    def _lookup(self, reference: str, env_pieces: list[str]) -> tuple[Any, bool]:
        reference = reference.strip()
        env = _ENV.fullmatch(reference)
        if env:
            name, default = env.group(1), env.group(2)
            if name in self.environ:
                return self.environ[name], True
            if default is not None:  # a default may itself hold references
                return self._substitute(default, env_pieces) if "$" in default else default, True
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
        so is the whole value of a field named like a secret (but not a step's ``capture:``
        expression, whose key names the value it will catch, such as ``token: json.token``)."""
        key = next((p for p in reversed(path) if isinstance(p, str)), "")
        if key in ENV_SECRET_KEYS:
            for piece in env_pieces:
                if not _locator(piece):
                    self.secrets.add(piece)
        expression = len(path) > 1 and path[-2] == "capture"  # a name for a step's value
        if isinstance(path[-1], str) and is_secret_key(key) and not expression:
            self.secrets.add(value)
