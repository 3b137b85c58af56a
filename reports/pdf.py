"""HTML to PDF through Debian's Chromium (Playwright's page.pdf), fonts embedded by Chromium."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Page numbers only: header/footer templates render outside the page's CSP, so
# they carry nothing that came from a listing.
FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#666;">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


class PdfError(RuntimeError):
    """Chromium could not be started or could not print."""


def html_to_pdf(html: str, destination: Path, *, timeout_ms: int = 600_000) -> Path:
    """Print one HTML document to `destination` (A4, backgrounds on, page numbers in the footer)."""
    write_pdfs([(html, destination)], timeout_ms=timeout_ms)
    return destination


def write_pdfs(documents: Iterable[tuple[str, Path]], *, timeout_ms: int = 600_000) -> list[Path]:
    """Print several documents with one browser start (a start costs about a second)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    written = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                # Offline by construction: the HTML embeds everything, and any request is refused.
                context = browser.new_context(java_script_enabled=False, offline=True)
                context.route("**/*", lambda route: route.abort())
                page = context.new_page()
                page.set_default_timeout(timeout_ms)
                for html, destination in documents:
                    page.set_content(html, wait_until="load")
                    page.emulate_media(media="print")
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    page.pdf(
                        path=str(destination),
                        format="A4",
                        print_background=True,
                        prefer_css_page_size=True,
                        display_header_footer=True,
                        header_template="<span></span>",
                        footer_template=FOOTER,
                    )
                    written.append(destination)
            finally:
                browser.close()
    except PlaywrightError as error:
        raise PdfError(f"Chromium ({CHROMIUM}) could not print the PDF: {error.message.splitlines()[0]}") from None
    return written
