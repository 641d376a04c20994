"""Copy the front-end files accord serves from the npm packages into accord/static/vendor.

The packages come from the npm registry at install time (package-lock.json pins them);
nothing is ever loaded from a CDN.
"""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
DEST = ROOT / "accord" / "static" / "vendor"

FILES = {
    "htmx/htmx.min.js": "htmx.org/dist/htmx.min.js",
    "bootstrap/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "bootstrap/bootstrap.bundle.min.js": "bootstrap/dist/js/bootstrap.bundle.min.js",
    "bootstrap-icons/bootstrap-icons.min.css": "bootstrap-icons/font/bootstrap-icons.min.css",
    "bootstrap-icons/fonts/bootstrap-icons.woff2": "bootstrap-icons/font/fonts/bootstrap-icons.woff2",
    "bootstrap-icons/fonts/bootstrap-icons.woff": "bootstrap-icons/font/fonts/bootstrap-icons.woff",
    # The dashboard's charts and world map: Chart.js, its geo module and the Natural Earth countries.
    "chartjs/chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    "chartjs-chart-geo/index.umd.min.js": "chartjs-chart-geo/build/index.umd.min.js",
    "world-atlas/countries-110m.json": "world-atlas/countries-110m.json",
}


def main() -> int:
    missing = [src for src in FILES.values() if not (NODE / src).exists()]
    if missing:
        print("missing npm files (run npm ci): " + ", ".join(missing), file=sys.stderr)
        return 1
    for dest, src in FILES.items():
        target = DEST / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE / src, target)
    print(f"copied {len(FILES)} asset files into {DEST.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
