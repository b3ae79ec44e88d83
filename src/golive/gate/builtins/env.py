"""``env`` — the production environment is complete and safe: required variables set, secrets
long and random enough, no forbidden values (``DEBUG=true``).

Reads ``ctx.environ`` only. The variables it looks at are the ones the item names (in
``required``, ``min_length`` or ``forbid``). With ``weak: true`` (the default), a named variable
whose name says it holds a secret (``SECRET``, ``KEY``, ``TOKEN``, ``PASSWORD``... see
``golive.config.secrets.is_secret_key``) or that has a ``min_length`` is also checked for a weak
value: a known default or placeholder, fewer than ``MIN_SECRET_LENGTH`` characters (unless
``min_length`` says otherwise), or a low Shannon entropy (under ``MIN_BITS_PER_CHAR`` bits per
character or ``MIN_TOTAL_BITS`` bits in all); a URL's password (``postgres://u:PASS@db``) is
checked the same way for known defaults.

No value ever appears in a reason or in the evidence: only names, lengths and facts.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field

from golive.config.secrets import is_secret_key
from golive.gate.builtins.base import Args, Builtin, Context, Finding

MIN_SECRET_LENGTH = 16
MIN_BITS_PER_CHAR = 3.0
MIN_TOTAL_BITS = 64.0

KNOWN_DEFAULTS = frozenset(
    {
        "changeme", "change-me", "change_me", "changeit", "secret", "secretkey", "secret-key",
        "secret_key", "mysecret", "password", "passw0rd", "p@ssw0rd", "password1", "admin",
        "administrator", "root", "toor", "test", "testing", "default", "guest", "letmein",
        "welcome", "qwerty", "123456", "1234567", "12345678", "123456789", "1234567890",
        "000000", "abc123", "dev", "development", "local", "example", "sample", "dummy",
        "placeholder", "token", "apikey", "api-key", "api_key", "xxx", "todo", "none", "null",
        "your-secret-key", "your_secret_key", "yoursecretkey", "supersecret", "super-secret",
        "notasecret", "keyboard cat", "django-insecure", "insecure",
    }
)  # fmt: skip
# placeholders that stay placeholders whatever surrounds them
_PLACEHOLDER = re.compile(
    r"^django-insecure-|change[-_ ]?me|replace[-_ ]?me|your[-_ ]?(?:secret|key|token|password)"
    r"|^<.*>$|^\$\{.*\}$|^x{6,}$",
    re.IGNORECASE,
)


class EnvArgs(Args):
    required: list[str] = Field(default_factory=list)
    min_length: dict[str, int] = Field(default_factory=dict)
    forbid: dict[str, list[str]] = Field(default_factory=dict)
    weak: bool = True


def shannon_bits_per_char(value: str) -> float:
    """The Shannon entropy of the value's characters, in bits per character."""
    if not value:
        return 0.0
    total = len(value)
    return sum(n / total * math.log2(total / n) for n in Counter(value).values())


def known_default(value: str) -> bool:
    """A value shipped in examples and framework templates, or an obvious placeholder."""
    folded = value.strip().lower()
    return folded in KNOWN_DEFAULTS or bool(_PLACEHOLDER.search(folded))


def weakness(value: str, *, min_length: int | None) -> list[str]:
    """Why a secret's value is weak (facts only, never the value); empty when it is not."""
    if known_default(value):
        return ["is a known default or placeholder value"]
    found = []
    if min_length is None and len(value) < MIN_SECRET_LENGTH:  # else min_length reports it
        found.append(f"is {len(value)} characters, a secret needs at least {MIN_SECRET_LENGTH}")
    per_char = shannon_bits_per_char(value)
    if per_char < MIN_BITS_PER_CHAR:
        found.append(
            f"has low entropy: {per_char:.1f} bits per character (needs {MIN_BITS_PER_CHAR:g}); "
            "it repeats few characters"
        )
    elif per_char * len(value) < MIN_TOTAL_BITS:
        found.append(
            f"has low entropy: about {per_char * len(value):.0f} bits in all "
            f"(needs {MIN_TOTAL_BITS:g}); make it longer"
        )
    return found


def _url_password(value: str) -> str | None:
    try:
        parts = urlsplit(value)
        return parts.password if parts.scheme and parts.hostname else None
    except ValueError:
        return None


async def run(args: EnvArgs, ctx: Context) -> Finding:
    environ = ctx.environ
    named = list(dict.fromkeys([*args.required, *args.min_length, *args.forbid]))
    missing = [name for name in args.required if not environ.get(name)]
    problems = [
        f"{name} is {'set but empty' if name in environ else 'not set'}" for name in missing
    ]
    too_short: dict[str, dict[str, int]] = {}
    for name, needed in args.min_length.items():
        value = environ.get(name)
        if value and len(value) < needed:
            too_short[name] = {"length": len(value), "min_length": needed}
            problems.append(f"{name} is {len(value)} characters, needs {needed}")
    forbidden = [
        name
        for name, values in args.forbid.items()
        if name in environ and environ[name].strip() in {v.strip() for v in values}
    ]
    problems += [f"{name} is set to a forbidden value" for name in forbidden]
    weak: dict[str, list[str]] = {}
    if args.weak:
        for name in named:
            value = environ.get(name)
            if not value:
                continue
            if is_secret_key(name) or name in args.min_length:
                found = weakness(value, min_length=args.min_length.get(name))
            else:
                password = _url_password(value)
                found = (
                    ["holds a URL whose password is a known default"]
                    if password and known_default(password)
                    else []
                )
            if found:
                weak[name] = found
                problems += [f"{name} {why}" for why in found]
    evidence: dict[str, Any] = {
        "checked": named,
        "set": [name for name in named if environ.get(name)],
        "missing": missing,
        "too_short": too_short,
        "forbidden": forbidden,
        "weak": weak,
    }
    if problems:
        return Finding(False, "; ".join(problems), evidence)
    what = f"{len(named)} variables" if len(named) != 1 else "1 variable"
    return Finding(True, f"{what} checked: all set, long enough, none forbidden or weak", evidence)


BUILTIN = Builtin(
    name="env",
    args=EnvArgs,
    run=run,
    summary="required variables set; secrets long and random; no forbidden values such as DEBUG",
)
