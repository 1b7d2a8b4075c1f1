"""Render the logo's PNG copies from static/img/logo.svg with Chromium.

Many mail clients block SVG, so emails show static/img/logo-email.png; phones' home screens
take static/img/apple-touch-icon.png. Both are committed: run this (`make logo`) after
changing the SVG, never at run time.
"""

import base64
from pathlib import Path

from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parent.parent / "static"
BRAND = "#1d4f91"
CHROMIUM = "/usr/bin/chromium"


def render(page, *, svg, width, height, out, padding=0):
    page.set_viewport_size({"width": width + 2 * padding, "height": height + 2 * padding})
    page.set_content(
        f'<html><body style="margin:0;padding:{padding}px;background:{BRAND}">'
        f'<img src="data:image/svg+xml;base64,{svg}" width="{width}" height="{height}" '
        'style="display:block"></body></html>'
    )
    page.screenshot(path=str(out), full_page=True)


def main():
    logo = base64.b64encode((STATIC / "img" / "logo.svg").read_bytes()).decode()
    icon = base64.b64encode((STATIC / "favicon.svg").read_bytes()).decode()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        # Twice the size the email shows it at, for sharp text on high-density screens.
        page = browser.new_page(device_scale_factor=2)
        render(page, svg=logo, width=250, height=56, out=STATIC / "img" / "logo-email.png")
        page = browser.new_page(device_scale_factor=1)
        render(page, svg=icon, width=180, height=180, out=STATIC / "img" / "apple-touch-icon.png")
        browser.close()


if __name__ == "__main__":
    main()
