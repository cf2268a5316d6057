"""Build the .mo catalogues from locale/*/LC_MESSAGES/*.po (they are never committed).

Uses GNU gettext (`manage.py compilemessages`) when msgfmt is on PATH, else polib, so a fresh
machine with only Python still gets a translated desk. Rebuilds a .mo only when its .po is newer.
Usage: python scripts/compile_messages.py [--force]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"


def stale_catalogues(force: bool = False) -> list[Path]:
    """The .po files whose .mo is missing or older than them."""
    stale = []
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if force or not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po)
    return stale


def compile_with_polib(po_path: Path) -> None:
    """Write the .mo beside the .po, skipping fuzzy entries as msgfmt does."""
    import polib  # type: ignore[import-untyped]

    catalogue = polib.pofile(str(po_path))
    for entry in catalogue.fuzzy_entries():
        catalogue.remove(entry)
    catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))


def main(argv: list[str]) -> int:
    stale = stale_catalogues(force="--force" in argv)
    if not stale:
        return 0
    if shutil.which("msgfmt"):
        for po in stale:
            subprocess.run(
                ["msgfmt", "--check-format", "-o", str(po.with_suffix(".mo")), str(po)],
                check=True,
            )
    else:
        for po in stale:
            compile_with_polib(po)
    print(f"Compiled {len(stale)} message catalogue(s).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
