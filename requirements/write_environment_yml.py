"""Write environment.yml from requirements/lock.txt so conda users get the same pins.

The pins go in the `pip:` section: several packages (janome, japanize-matplotlib, sudachipy)
are not on the default conda channels, and one resolver for everything keeps the two files
trivially comparable. `tests/test_environment.py` fails when they disagree.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
OUT = ROOT / "environment.yml"

SKIP = {"pip"}  # conda provides pip itself; its pin is kept in the `dependencies` list


def main() -> None:
    pins = [
        line.strip()
        for line in LOCK.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    pip_version = next(p.split("==")[1] for p in pins if p.lower().startswith("pip=="))
    lines = [
        "# Generated from requirements/lock.txt by requirements/write_environment_yml.py (make lock).",
        "# conda env create -f environment.yml && conda activate dxminutes && pip install --no-deps -e .",
        "name: dxminutes",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        f"  - pip={pip_version}",
        "  - pip:",
    ]
    lines += [f"      - {p}" for p in pins if p.split("==")[0].lower() not in SKIP]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
