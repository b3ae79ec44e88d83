"""``steps:`` — a journey: several probes in order, values captured by one used by the next.

One run opens one aiohttp session with its own cookie jar, so a login's cookie is sent by the
steps after it and by no other run. Before a step runs, every ``{{ name }}`` in its options
becomes the value an earlier step captured (a whole-string ``"{{ id }}"`` inside ``json:`` keeps
the value's type). A step passes when its expectations hold (its probe kind's defaults when it
has none) and each capture finds a value; the journey stops at the first step that does not,
and its error names that step (one still waiting when the check's timeout is nearly spent too). Secret captured values are masked in every field and error: a
token a login returns is as secret as the password that bought it. A capture is secret when its name
or its expression's last name says so (``token``, ``json.session_key``), like config keys.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from golive.config.secrets import Secrets, is_secret_key
from golive.probes.base import ProbeContext, ProbeError, ProbeKind, ProbeSpec
from golive.probes.expect import compile_expression

TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_ERROR_FIELDS = frozenset({"error", "ok_connect"})
_SHAPE_KEYS = 8
_STEP_SHARE = 0.97  # of the check's timeout the steps may use together


class Step(Protocol):
    """What the runner needs of one configured step (``golive.config.later_checks.StepBase``)."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def spec(self) -> ProbeSpec: ...
    @property
    def expect(self) -> list[str] | None: ...
    @property
    def capture(self) -> dict[str, str]: ...


class Journey(Protocol):
    @property
    def steps(self) -> Sequence[Any]: ...


class StepFailed(Exception):
    """A step's expectation did not hold, or a capture found nothing."""


async def run(
    spec: Journey, ctx: ProbeContext, kinds: Mapping[str, ProbeKind[Any]]
) -> dict[str, Any]:
    """Run the steps of ``spec`` in order with the probe ``kinds``; raise ``ProbeError`` (with
    every step's fields measured so far) at the first step that fails."""
    import asyncio  # imported on use: validate never needs them

    import aiohttp

    steps: Sequence[Step] = spec.steps
    fields: dict[str, Any] = {step.name: None for step in steps}
    fields["failed_step"] = None
    captured: dict[str, Any] = {}
    hidden = Secrets()
    started = time.perf_counter()
    connected = False
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(force_close=True),
        cookie_jar=aiohttp.CookieJar(unsafe=True),  # unsafe: also keep cookies of IP hosts
        timeout=aiohttp.ClientTimeout(total=None),
        headers={"User-Agent": "golive-probe"},
    ) as session:
        step_ctx = ProbeContext(timeout=ctx.timeout, http=session, extras=ctx.extras)
        # a little before the engine's own timeout, so a step that hangs is named
        deadline = asyncio.get_running_loop().time() + ctx.timeout * _STEP_SHARE
        for step in steps:
            kind = kinds[step.kind]
            try:
                try:
                    async with asyncio.timeout_at(deadline):
                        values = await _run_step(step, kind, captured, step_ctx)
                except TimeoutError:
                    late = dict.fromkeys(kind.all_fields) | {"ok_connect": False}
                    raise StepFailed(
                        f"no answer within the check's {ctx.timeout:g}s", late
                    ) from None
                connected = True
            except StepFailed as exc:
                values = exc.args[1]
                connected = connected or bool(values.get("ok_connect"))
                fields[step.name] = values
                fields["failed_step"] = step.name
                fields["latency_ms"] = (time.perf_counter() - started) * 1000
                raise ProbeError(
                    hidden.redact(f"step '{step.name}' failed: {exc.args[0]}"),
                    connected=connected,
                    **hidden.redact_data(fields),
                ) from None
            fields[step.name] = values
            for name, value in values.pop("_captured").items():
                captured[name] = value
                if _is_secret(name, step.capture[name]):
                    hidden.add(str(value))
    fields["latency_ms"] = (time.perf_counter() - started) * 1000
    result: dict[str, Any] = hidden.redact_data(fields)
    return result


async def _run_step(
    step: Step, kind: ProbeKind[Any], captured: Mapping[str, Any], ctx: ProbeContext
) -> dict[str, Any]:
    """The step's fields (and its captures under ``_captured``); ``StepFailed`` with the
    reason and the fields when it fails."""
    spec = _filled(step.spec, captured)
    values: dict[str, Any] = dict.fromkeys(kind.all_fields)
    error: str | None = None
    started = time.perf_counter()
    try:
        values.update(await kind.run(spec, ctx))
        values["ok_connect"] = True
    except ProbeError as exc:
        error = exc.message
        values.update(exc.fields)
        values["ok_connect"] = exc.connected
    if values.get("latency_ms") is None:
        values["latency_ms"] = (time.perf_counter() - started) * 1000
    values["error"] = error
    sources = step.expect if step.expect is not None else list(kind.default_expect)
    expectations = [compile_expression(source, kind.all_fields) for source in sources]
    if error is not None and not any(_ERROR_FIELDS.intersection(e.paths) for e in expectations):
        raise StepFailed(error, values)
    for expectation in expectations:
        outcome = expectation.evaluate(values)
        if not outcome.ok and error is not None:  # the probe's own reason says more
            raise StepFailed(error, values)
        if not outcome.ok:
            got = ", ".join(f"{path} = {value!r}" for path, value in outcome.values.items())
            reason = outcome.error or f"got {got}"
            raise StepFailed(f"expected {expectation.source}: {reason}", values)
    found: dict[str, Any] = {}
    for name, source in step.capture.items():
        expression = compile_expression(source, kind.all_fields)
        try:
            value = expression.value(values)
        except ValueError as exc:
            value, why = None, f" ({exc})"
        else:
            why = ""
        if value is None:
            raise StepFailed(
                f"capture {name}: {source} found nothing{why} in {_shape(values)}", values
            )
        found[name] = value
    values["_captured"] = found
    return values


def _is_secret(name: str, source: str) -> bool:
    """A capture is secret when its name or the last name in its expression says so
    (``token``, ``json.access_token``, ``headers["set-cookie"]``)."""
    names = re.findall(r"[A-Za-z0-9_-]+", source)
    return is_secret_key(name) or bool(names and is_secret_key(names[-1]))


def _filled(spec: ProbeSpec, captured: Mapping[str, Any]) -> ProbeSpec:
    """``spec`` with every ``{{ name }}`` replaced by its captured value."""
    if not captured:
        return spec
    data = spec.model_dump(by_alias=True, exclude_unset=True)
    filled = {key: _fill(value, captured, keep_type=key == "json") for key, value in data.items()}
    return type(spec).model_validate(filled)


def _fill(value: Any, captured: Mapping[str, Any], *, keep_type: bool) -> Any:
    if isinstance(value, str):
        whole = TEMPLATE.fullmatch(value.strip())
        if keep_type and whole is not None:
            return captured[whole.group(1)]
        return TEMPLATE.sub(lambda m: str(captured[m.group(1)]), value)
    if isinstance(value, dict):
        return {k: _fill(v, captured, keep_type=keep_type) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, captured, keep_type=keep_type) for v in value]
    return value


def _shape(values: Mapping[str, Any]) -> str:
    """What the step's answer looked like: a JSON body's keys and their types, or its size."""
    body = values.get("json")
    if body is not None:
        return f"a JSON body shaped {_shape_of(body)}"
    if isinstance(values.get("body"), str):
        content = (values.get("headers") or {}).get("content-type", "no content type")
        return f"a body that is not JSON ({content}, {len(values['body'])} chars)"
    shown = [k for k, v in values.items() if v is not None and k not in _ERROR_FIELDS]
    return f"the step's fields ({', '.join(shown)})"


def _shape_of(value: Any, depth: int = 0) -> str:
    if isinstance(value, dict):
        if depth > 1:
            return "{…}"
        keys = list(value)[:_SHAPE_KEYS]
        inner = ", ".join(f"{k}: {_shape_of(value[k], depth + 1)}" for k in keys)
        more = ", …" if len(value) > _SHAPE_KEYS else ""
        return "{" + inner + more + "}"
    if isinstance(value, list):
        return f"[{len(value)} items]"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return "string"
