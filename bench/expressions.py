"""Cost of evaluating one compiled expectation, as the engine does on every probe run.

Compares an expression that uses only the engine's own functions with ones that call the
registered strings functions (a small context per expression), and with the costlier ways of
passing functions this design avoids: the whole function catalog in a fresh context, or one
shared context updated per run. Prints microseconds per evaluation (best of --repeat).
"""

from __future__ import annotations

import argparse
import timeit
from collections.abc import Callable
from typing import Any

import cel

from golive.probes.celengine import FUNCTIONS
from golive.probes.expect import compile_expression
from golive.probes.registry import builtin_kinds

FIELDS = {"stdout": "41", "exit_code": 0, "latency_ms": 3.2}
EXPRESSIONS = [
    "exit_code == 0 && int(stdout) < 85",
    "int(stdout.trim()) < 85",
    'stdout.split(",")[0].trim().lowerAscii() == "41"',
]


def per_call_us(run: Callable[[], Any], number: int, repeat: int) -> float:
    return min(timeit.repeat(run, number=number, repeat=repeat)) / number * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--number", type=int, default=20000, help="evaluations per timing")
    parser.add_argument("--repeat", type=int, default=5, help="timings; the best is shown")
    args = parser.parse_args()
    fields = builtin_kinds()["command"].all_fields
    catalog = {name: f.impl for name, f in FUNCTIONS.items() if f.impl is not None}
    print(f"{'expression':<52} {'golive':>8} {'catalog':>8} {'shared':>8}  (µs per evaluation)")
    for source in EXPRESSIONS:
        expectation = compile_expression(source, fields)
        variables = {name: FIELDS[name] for name in expectation.variables}
        shared = cel.Context(functions=catalog)

        def shared_run(
            program: Any = expectation.program, v: Any = variables, context: Any = shared
        ) -> Any:
            context.update(v)
            return program.execute(context)

        ours = per_call_us(lambda e=expectation: e.evaluate(FIELDS), args.number, args.repeat)
        whole = per_call_us(
            lambda p=expectation.program, v=variables: p.execute(cel.Context(v, catalog)),
            args.number,
            args.repeat,
        )
        one = per_call_us(shared_run, args.number, args.repeat)
        print(f"{source:<52} {ours:8.1f} {whole:8.1f} {one:8.1f}")


if __name__ == "__main__":
    main()
