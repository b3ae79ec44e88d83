"""Regenerate the generated blocks of the docs from the code, so that the docs cannot drift.

    .venv/bin/python docs/generate.py           rewrite the generated blocks in place
    .venv/bin/python docs/generate.py --check   change nothing; exit 1 if a block is out of date

A generated block is everything between ``<!-- generated:NAME -->`` and the next
``<!-- end -->``. The text around the blocks is written by hand and never touched. The blocks:

    probe-kinds              every probe kind, what it does, its default expectation
    common-fields            the fields every probe kind exposes
    probe-options:KIND       the options of one kind (type and default from its spec model)
    probe-fields:KIND        the fields one kind exposes to ``expect``, and its default
    check-probe-options      the options of every kind, keyed for docs/configuration.md
    cli                      every command of the CLI, read from the Typer app itself
    gate-builtins            every built-in gate check (``run:``), what it checks, whether it runs
    gate-args:NAME           the ``with:`` arguments of one built-in (type and default from its Args)
    observatory-results      security_headers' result codes and modifiers (Observatory scoring)
    observatory-grades       the grade chart: the lowest score of each grade

Every block must appear in at least one docs file, and every marker must name a known block, so
a new probe kind or command cannot go undocumented.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import typer

from golive.cli import app
from golive.config.reference import NO_DEFAULT, schema_keys
from golive.gate.builtins.base import Builtin
from golive.gate.builtins.observatory import GRADE_FLOORS, RESULTS
from golive.gate.registry import builtin_checks
from golive.probes import COMMON_FIELDS, ProbeKind, builtin_kinds

DOCS = Path(__file__).resolve().parent
FILES = ("configuration.md", "probes.md", "cli.md", "gate.md")
BLOCK = re.compile(r"(<!-- generated:(?P<name>[\w:-]+) -->\n)(?P<body>.*?)(<!-- end -->)", re.S)
MARKER = re.compile(r"<!-- generated:([\w:-]+) -->")
Row = tuple[str, ...]

# What each probe option means. A ``Field(description=...)`` on the spec model wins over this
# table; an option with neither stops the generator, so a new option cannot go undocumented.
OPTION_HELP: dict[str, dict[str, str]] = {
    "http": {
        "url": "The URL to request, `http://` or `https://`.",
        "method": "The request method.",
        "headers": "Request headers. A header named like a secret (`Authorization`, "
        "`Cookie`, `X-Api-Key` ...) is kept out of every output.",
        "body": "A request body, sent as is.",
        "json": "A request body, sent as JSON with `Content-Type: application/json`. "
        "Give `body` or `json`, not both.",
        "follow_redirects": "Follow redirects. Off by default: a redirect is judged as its "
        "own 3xx response.",
        "max_redirects": "With `follow_redirects`, more redirects than this is a probe error.",
        "verify_tls": "Verify the server's certificate for `https://` URLs. `false` accepts "
        "any certificate.",
        "ca_file": "A PEM file of extra CA certificates to trust for `https://` URLs, *on top "
        "of* the system CAs.",
    },
    "tcp": {
        "host": "Host name or IP address to connect to.",
        "port": "TCP port, 1 to 65535.",
    },
    "command": {
        "run": "A shell command line, run with `/bin/sh` in its own process group. On "
        "timeout the whole group is killed.",
        "cwd": "Working directory; golive's own by default.",
        "env": (
            "Environment variables for the command, on top of PATH, HOME and LANG (the only "
            "ones it gets from golive's own environment)."
        ),
    },
    "tls": {
        "host": "Host name or IP address to connect to.",
        "port": "TCP port, 1 to 65535.",
        "server_name": "The name sent as SNI and matched against the certificate; the "
        "`host` when not given.",
        "ca_file": "A PEM file of extra CA certificates to trust, *on top of* the system CAs.",
    },
    "dns": {
        "name": "The name to look up. For `PTR`, an IP address is turned into its reverse name.",
        "type": "The record type (lower case is accepted).",
        "server": "The DNS server as `IP`, `IP:PORT`, `IPv6` or `[IPv6]:PORT`; the "
        "system's resolver when not given.",
        "tcp": "Ask over TCP instead of UDP.",
    },
    "postgres": {
        "dsn": "A libpq connection URL or `key=value` string. Its password never appears "
        "in output.",
        "query": "One SQL statement whose first column of the first row becomes `value`. "
        "It runs read-only, with the check's timeout as `statement_timeout`.",
    },
    "redis": {
        "url": "A `redis://` or `rediss://` URL, with the database number as its path. Its "
        "password never appears in output.",
        "command": "One read-only command whose reply becomes `value`, split like a shell "
        "line: `GET`, `MGET`, `EXISTS`, `LLEN`, `SCARD`, `ZCARD`, `HGET`, `HLEN`, `STRLEN`, "
        "`TTL`, `DBSIZE`, `PING`, `TYPE` or `XLEN`.",
    },
}


# What each built-in gate check's ``with:`` argument means. A ``Field(description=...)`` on the
# Args model wins over this table; an argument with neither stops the generator, so a new
# argument cannot go undocumented.
_CA_FILE = (
    "A PEM file of extra CA certificates to trust, *on top of* the system CAs; a relative "
    "path is relative to the config file's folder."
)
GATE_ARG_HELP: dict[str, dict[str, str]] = {
    "migration_lint": {
        "paths": "Migration `.sql` files or folders of them, relative to the config file; at "
        "least one.",
        "ignore": "Rule ids to leave out (see [the rules](migrations.md#rules)).",
    },
    "security_headers": {
        "url": "The page to grade, `http://` or `https://`: the `https://` address users land "
        "on. An `http://` URL is also scored on its redirection to HTTPS.",
        "min_grade": "The lowest grade that passes.",
        "follow_redirects": "Follow redirects and grade the page they end on. `false` grades "
        "the first answer, which must then be a 2xx.",
        "headers": "Request headers sent with both requests (a token for a page behind a "
        "login, say). They never appear in the evidence.",
        "verify_tls": "Verify the certificate of `https://` answers. `false` accepts any "
        "certificate, with a warning: browsers honour HSTS only with a valid one.",
        "ca_file": _CA_FILE,
    },
    "https_redirect": {
        "url": "A plain `http://` URL; any other scheme is a config error.",
        "expect_status": "The statuses the first answer may redirect with; 3xx codes only.",
        "max_redirects": "The most redirects to follow, the first one included; a longer "
        "chain fails.",
        "verify_tls": "Verify the certificates of the `https://` answers. `false` accepts any "
        "certificate.",
        "ca_file": _CA_FILE,
    },
    "tls": {
        "host": "Host name or IP address to connect to.",
        "port": "TCP port, 1 to 65535.",
        "server_name": "The name sent as SNI and matched against the certificate; the `host` "
        "when not given.",
        "min_days": "The fewest days the certificate may have left before it expires.",
        "ca_file": _CA_FILE,
        "min_protocol": "The oldest protocol version the server may accept; every older "
        "version must be refused.",
    },
    "rate_limit": {
        "url": "The URL to send the burst to, `http://` or `https://`. Redirects are not followed.",
        "requests": "The most requests to send, 1 to 1000. Sending stops at the first answer "
        "that proves the limit.",
        "within": "The time to spread them over, evenly, from `0s` to `90s`; `0s` sends them "
        "as fast as it can (32 at a time at most).",
        "expect_status": "The status of a limited answer.",
        "method": "The request method, letters only (written in capitals).",
        "headers": "Request headers, such as an API token. They never appear in the evidence.",
        "verify_tls": "Verify the certificate of an `https://` URL. `false` accepts any "
        "certificate.",
        "ca_file": _CA_FILE,
    },
    "env": {
        "required": "Variables that must be set and not empty.",
        "min_length": "Variables and the fewest characters each must have. A variable named "
        "here is also checked for a weak value; an unset one is only reported when it is in "
        "`required` too.",
        "forbid": 'Variables and values they must not have, such as `DEBUG: ["1", "true"]` '
        "(compared exactly, after trimming spaces).",
        "weak": "Also fail on weak secret values: see below.",
    },
    "notify_test": {
        "channels": "The channels to send a test message to, by name; every channel of "
        "`notify.channels` when empty.",
    },
}

# The Observatory test each result code belongs to, by the code's prefix.
OBSERVATORY_TESTS = {
    "csp-": "content-security-policy",
    "cookies-": "cookies",
    "cross-origin-resource-sharing-": "cross-origin-resource-sharing",
    "redirection-": "redirection",
    "referrer-policy-": "referrer-policy",
    "hsts-": "strict-transport-security",
    "sri-": "subresource-integrity",
    "x-content-type-options-": "x-content-type-options",
    "x-frame-options-": "x-frame-options",
    "corp-": "cross-origin-resource-policy",
}


class DocsError(Exception):
    """The docs and the code cannot be reconciled by regenerating (a marker is missing or wrong)."""


def cell(text: str) -> str:
    """Text made safe for one markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def code(text: str) -> str:
    return f"`{text}`"


def table(header: Row, rows: Sequence[Row]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- probes ---------------------


def field_rows(fields: Mapping[str, str]) -> list[Row]:
    rows: list[Row] = []
    for name, text in fields.items():
        kind, _, meaning = text.partition(": ")
        rows.append((code(name), cell(kind), cell(meaning)))
    return rows


def option_rows(kind: ProbeKind[Any]) -> list[Row]:
    rows: list[Row] = []
    helps = OPTION_HELP.get(kind.name, {})
    for key in schema_keys(kind.spec):
        meaning = key.field.description or helps.get(key.key)
        if not meaning:
            raise DocsError(
                f"probe option {kind.name}.{key.key} has no description: add one to "
                f"OPTION_HELP in {Path(__file__).name} (or Field(description=...) on the model)"
            )
        default = key.default_text()
        rows.append(
            (
                code(key.key),
                cell(key.type_text()),
                default if default == NO_DEFAULT or key.required else code(default),
                cell(meaning),
            )
        )
    stale = set(helps) - {key.key for key in schema_keys(kind.spec)}
    if stale:
        raise DocsError(f"OPTION_HELP describes options {kind.name} no longer has: {stale}")
    return rows


def probe_kinds(kinds: Mapping[str, ProbeKind[Any]]) -> str:
    rows = [
        (
            f"[`{kind.name}`](#{kind.name})",
            cell(kind.summary),
            ", ".join(code(e) for e in kind.default_expect),
        )
        for kind in kinds.values()
    ]
    return table(("kind", "what it does", "default `expect`"), rows)


def common_fields() -> str:
    return table(("field", "type", "meaning"), field_rows(COMMON_FIELDS))


def probe_options(kind: ProbeKind[Any]) -> str:
    return table(("option", "type", "default", "meaning"), option_rows(kind))


def probe_fields(kind: ProbeKind[Any]) -> str:
    if kind.fields:
        text = table(("field", "type", "meaning"), field_rows(kind.fields))
        text += "\nand the [common fields](#common-fields).\n"
    else:
        text = "Only the [common fields](#common-fields).\n"
    expect = "\n".join(f"- `{e}`" for e in kind.default_expect)
    return f"{text}\nThe default expectation, for a check without `expect`:\n\n{expect}\n"


def check_probe_options(kinds: Mapping[str, ProbeKind[Any]]) -> str:
    parts = []
    for kind in kinds.values():
        parts.append(
            f"<!-- keys: checks[].{kind.name} -->\n"
            f"**`{kind.name}:`** {cell(kind.summary[:1].upper() + kind.summary[1:])}. "
            f"[Fields and examples](probes.md#{kind.name}).\n\n"
            + table(("key", "type", "default", "meaning"), option_rows(kind))
        )
    return "\n".join(parts)


# ---------------------------------------------------------------- cli ------------------------


def walk_commands(command: Any, ctx: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    """``(full name, command, context)`` for ``command`` and every visible subcommand."""
    yield path, command, ctx
    if hasattr(command, "list_commands"):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or getattr(sub, "hidden", False):
                continue
            sub_ctx = sub.context_class(sub, info_name=name, parent=ctx)
            yield from walk_commands(sub, sub_ctx, f"{path} {name}")


def param_type(param: Any, ctx: Any) -> str:
    if getattr(param, "is_flag", False):
        return "flag"
    display = getattr(param, "display_type", None)
    if callable(display):
        return str(display(ctx)).strip("<>")
    return str(getattr(param.type, "name", "")).lower()


def param_row(param: Any, ctx: Any) -> Row:
    if getattr(param, "param_type_name", "") == "argument" or not getattr(param, "opts", None):
        name = str(param.name).upper() + ("..." if param.nargs == -1 else "")
        names = code(name) + ("" if param.required else " (optional)")
    else:
        names = ", ".join(code(o) for o in [*param.opts, *param.secondary_opts])
    default = param.default
    if default is None or (getattr(param, "is_flag", False) and default is False):
        shown = NO_DEFAULT
    elif default == "":
        shown = '`""`'
    else:
        shown = code(str(default))
    return (names, param_type(param, ctx), shown, cell(param.help or ""))


def cli_reference(root: Any) -> str:
    ctx = root.context_class(root, info_name="golive")
    parts = []
    for path, command, command_ctx in walk_commands(root, ctx, "golive"):
        help_names = set(command.get_help_option_names(command_ctx))
        params = [
            p
            for p in command.get_params(command_ctx)
            if not getattr(p, "hidden", False) and not help_names.intersection(p.opts)
        ]
        usage = command.get_usage(command_ctx).removeprefix("Usage: ")
        text = f"### `{path}`\n\n{(command.help or '').strip()}\n\n```\n{usage}\n```\n"
        if params:
            rows = [param_row(p, command_ctx) for p in params]
            text += "\n" + table(("argument / option", "type", "default", "meaning"), rows)
        parts.append(text)
    return "\n".join(parts)


# ---------------------------------------------------------------- gate -----------------------


def gate_builtins(builtins: Mapping[str, Builtin[Any]]) -> str:
    rows = [
        (
            f"[`{b.name}`](#{b.name})",
            cell(b.summary),
            "runs" if b.supported else "not yet supported",
        )
        for b in sorted(builtins.values(), key=lambda b: not b.supported)
    ]
    return table(("`run:`", "what it checks", "today"), rows)


def gate_args(builtin: Builtin[Any]) -> str:
    helps = GATE_ARG_HELP.get(builtin.name, {})
    keys = list(schema_keys(builtin.args))
    rows: list[Row] = []
    for key in keys:
        meaning = key.field.description or helps.get(key.key)
        if not meaning:
            raise DocsError(
                f"gate built-in {builtin.name}: argument {key.key} has no description: add one "
                f"to GATE_ARG_HELP in {Path(__file__).name} (or Field(description=...))"
            )
        default = key.default_text()
        rows.append(
            (
                code(key.key),
                cell(key.type_text()),
                default if default == NO_DEFAULT or key.required else code(default),
                cell(meaning),
            )
        )
    stale = set(helps) - {key.key for key in keys}
    if stale:
        raise DocsError(f"GATE_ARG_HELP describes arguments {builtin.name} no longer has: {stale}")
    if not rows:
        return "No arguments.\n"
    return table(("key", "type", "default", "meaning"), rows)


def observatory_results() -> str:
    rows: list[Row] = []
    for result, (modifier, fix) in RESULTS.items():
        test = next((t for p, t in OBSERVATORY_TESTS.items() if result.startswith(p)), None)
        if test is None:
            raise DocsError(f"result {result}: add its prefix to OBSERVATORY_TESTS")
        rows.append((test, code(result), f"{modifier:+d}" if modifier else "0", cell(fix) or "—"))
    return table(("test", "result", "modifier", "what to do"), rows)


def observatory_grades() -> str:
    """One row: the lowest score of each grade, best first (the last grade is everything below)."""
    floors = [floor for floor, _ in GRADE_FLOORS]
    scores = [f"{floor} or more" for floor in floors[:-1]] + [f"below {floors[-2]}"]
    return table(("score", *scores), [("grade", *(grade for _, grade in GRADE_FLOORS))])


# ---------------------------------------------------------------- blocks ---------------------


def blocks() -> dict[str, str]:
    """Every generated block by name."""
    kinds, builtins = builtin_kinds(), builtin_checks()
    result = {
        "probe-kinds": probe_kinds(kinds),
        "common-fields": common_fields(),
        "check-probe-options": check_probe_options(kinds),
        "cli": cli_reference(typer.main.get_command(app)),
        "gate-builtins": gate_builtins(builtins),
        "observatory-results": observatory_results(),
        "observatory-grades": observatory_grades(),
    }
    for name, kind in kinds.items():
        result[f"probe-options:{name}"] = probe_options(kind)
        result[f"probe-fields:{name}"] = probe_fields(kind)
    for name, builtin in builtins.items():
        result[f"gate-args:{name}"] = gate_args(builtin)
    return result


def regenerate(text: str, generated: Mapping[str, str], file: str) -> tuple[str, list[str]]:
    """``text`` with every block replaced, and the names of the blocks that changed."""
    unknown = [name for name in MARKER.findall(text) if name not in generated]
    if unknown:
        raise DocsError(f"{file}: unknown generated block(s): {', '.join(unknown)}")
    if len(BLOCK.findall(text)) != len(MARKER.findall(text)):
        raise DocsError(f"{file}: a generated block has no closing <!-- end -->")
    changed: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        body = generated[name]
        if match.group("body") != body:
            changed.append(name)
        return f"{match.group(1)}{body}{match.group(4)}"

    return BLOCK.sub(replace, text), changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a block is out of date")
    args = parser.parse_args(argv)
    try:
        generated = blocks()
        seen: set[str] = set()
        updates: dict[Path, str] = {}
        stale: list[str] = []
        for file in FILES:
            path = DOCS / file
            if not path.is_file():
                raise DocsError(f"{path} is missing")
            text = path.read_text(encoding="utf-8")
            seen.update(MARKER.findall(text))
            new, changed = regenerate(text, generated, file)
            stale += [f"{file}: {name}" for name in changed]
            if changed:
                updates[path] = new
        missing = sorted(set(generated) - seen)
        if missing:
            raise DocsError(f"no docs file has a block for: {', '.join(missing)}")
    except DocsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.check:
        if stale:
            print("out of date (run docs/generate.py):\n  " + "\n  ".join(stale), file=sys.stderr)
            return 1
        return 0
    for path, text in updates.items():
        path.write_text(text, encoding="utf-8")
    for line in stale:
        print(f"regenerated {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
