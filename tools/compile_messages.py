"""Compile the .po catalogues into .mo files with Babel, so no system gettext is needed."""

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent / "accord" / "locale"


def main() -> int:
    count = 0
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        with po_path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        count += 1
    print(f"compiled {count} catalogues")
    return 0


if __name__ == "__main__":
    sys.exit(main())
