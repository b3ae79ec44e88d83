"""JUnit XML reports, for CI systems that show test results (GitLab, Jenkins, GitHub)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Case:
    name: str
    classname: str
    seconds: float
    failure: str | None = None
    details: str = ""
    skipped: str | None = None


def write(path: Path, suite: str, cases: Sequence[Case]) -> None:
    """Write one ``<testsuite>`` with a ``<testcase>`` per case."""
    root = ET.Element(
        "testsuite",
        name=suite,
        tests=str(len(cases)),
        failures=str(sum(c.failure is not None for c in cases)),
        skipped=str(sum(c.skipped is not None for c in cases)),
        time=f"{sum(c.seconds for c in cases):.3f}",
    )
    for case in cases:
        element = ET.SubElement(
            root, "testcase", name=case.name, classname=case.classname, time=f"{case.seconds:.3f}"
        )
        if case.failure is not None:
            ET.SubElement(element, "failure", message=case.failure).text = case.details
        elif case.skipped is not None:
            ET.SubElement(element, "skipped", message=case.skipped)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
