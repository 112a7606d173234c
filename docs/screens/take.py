"""Screenshots of the lookup page's main pages at 1366 and 390 px, into docs/screens/.

    python docs/screens/take.py [--store DIR] [--chromium /usr/bin/chromium]

It serves the app on a free loopback port (waitress, as `kg serve` does; the store is
built on first use, as `kg load` builds it) and drives Debian's Chromium with Playwright,
as the browser tests do (tests/web/test_browser.py). Each page is saved as <name>-<width>.png
beside this script, its first 1,800 px (the whole page where shorter), reduced to 256
colours with Pillow where it is installed (a tenth of the bytes; text stays sharp).
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
WHO = {"allegation": "welcoming-city-violation", "respondent": "CPD:officer", "date": "2025-06-04"}
PAGES = {
    "home": "/",
    "who": "/who?" + urlencode(WHO),
    "who-amended": "/who?" + urlencode({**WHO, "amend": "copa-wco-jurisdiction"}),
    "incident": "/incident/south-loop-2025-06-04",
    "incidents": "/incidents",
    "check": "/check?example=south-loop-2025-06-04",
    "law": "/law",
    "provision": "/law/mcc/2-173-020/a/6",
    "agencies": "/agency",
    "agency": "/agency/COPA",
    "compare": "/agencies/compare?a=COPA&b=OIG",
    "amend": "/amend?" + urlencode({"amend": "copa-wco-jurisdiction", "as_of": "2025-06-04"}),
    "search": "/search?q=COPA",
    "query": "/query",
    "sparql": "/sparql",
    "glossary": "/glossary",
    "not-found": "/no-such-page",
}
WIDTHS = (1366, 390)
MAX_HEIGHT = 1800  # px: the top of a long page (the incident page is 14,000 px at 1366)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def _reduce(png: Path) -> None:
    """The screenshot in 256 colours, where Pillow is installed."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(png) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(png, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="the embedded store's folder (default: kg's)")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--only", nargs="*", help="names of pages to take (default: all)")
    args = parser.parse_args()

    import waitress
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from webapp import create_app

    app = create_app({"STORE_DIR": args.store} if args.store else None)
    srv: Any = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{srv.effective_port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=ARGS)
            for width in WIDTHS:
                context = browser.new_context(viewport={"width": width, "height": 900})
                page = context.new_page()
                for name, path in PAGES.items():
                    if args.only and name not in args.only:
                        continue
                    try:
                        page.goto(base + path, wait_until="networkidle", timeout=180_000)
                    except PlaywrightError as err:  # a slow page is skipped, not fatal
                        print(f"skipped {name} at {width} px: {str(err).splitlines()[0]}")
                        continue
                    out = HERE / f"{name}-{width}.png"
                    tall = page.evaluate("document.documentElement.scrollHeight")
                    box = {"x": 0, "y": 0, "width": width, "height": min(tall, MAX_HEIGHT)}
                    page.screenshot(path=str(out), full_page=True, clip=box)
                    _reduce(out)
                    print(out.relative_to(HERE.parents[1]))
                context.close()
            browser.close()
    finally:
        srv.close()
        app.extensions["kg"].runner.close()


if __name__ == "__main__":
    main()
