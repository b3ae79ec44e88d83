"""Write each guide's raw import next to it: NN-name.md → NN-name.imported.yaml.

    .venv/bin/python examples/guides/regenerate.py

tests/guides/test_examples.py fails when a file here differs from what the importer writes now.
The hand-completed NN-name.golive.yaml files are not touched.
"""

from __future__ import annotations

from pathlib import Path

from golive.guides import import_guide

HERE = Path(__file__).parent


def imported_path(guide: Path) -> Path:
    return guide.with_name(f"{guide.stem}.imported.yaml")


def main() -> None:
    for guide in sorted(HERE.glob("[0-9][0-9]-*.md")):
        target = imported_path(guide)
        target.write_text(import_guide(guide).yaml, encoding="utf-8")
        print(f"wrote {target.relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    main()
