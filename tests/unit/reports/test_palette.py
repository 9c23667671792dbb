"""Every colour the windows, the charts and the PDF use is named once, in reports/palette.py."""

from __future__ import annotations

import re
from pathlib import Path

import reports.palette

ROOT = Path(__file__).resolve().parents[3]
HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def test_no_colour_is_written_outside_the_palette() -> None:
    palette = Path(reports.palette.__file__).resolve()
    found = [f"{path.relative_to(ROOT)}:{number}: {match}"
             for package in ("ui", "reports", "workstation")
             for path in sorted((ROOT / package).rglob("*.py")) if path.resolve() != palette
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             for match in HEX.findall(line)]
    assert found == [], "name these colours in reports/palette.py:\n" + "\n".join(found)

