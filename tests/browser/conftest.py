"""One headless Debian Chromium per session, with tools/modeler-check/import.html open in one reused page."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.diagrams import CHROMIUM, MISSING_TOOLS, NODE_MODULES, TOOLS

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def modeler_check_url() -> Iterator[str]:
    """tools/modeler-check served on a free loopback port (the page fetches the moddle descriptors)."""
    if not (NODE_MODULES / "bpmn-js").is_dir() or not (NODE_MODULES / "dmn-js").is_dir():
        pytest.fail(MISSING_TOOLS)
    handler = functools.partial(_QuietHandler, directory=str(TOOLS))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="modeler-check-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/import.html"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class ModelerPage:
    """import.html in headless Chromium; import_xml returns the warnings bpmn-js / dmn-js report."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.page_errors: list[str] = []
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def import_xml(self, kind: str, xml: str) -> list[str]:
        """All import warnings, the import error (if any) and uncaught page errors, as lines."""
        self.page_errors.clear()
        result = self.page.evaluate("([kind, xml]) => window.importDiagram(kind, xml)", [kind, xml])
        problems = [f"Warnung: {warning}" for warning in result["warnings"]]
        if result["error"]:
            problems.insert(0, f"Fehler: {result['error']}")
        problems.extend(f"Seitenfehler: {error}" for error in self.page_errors)
        return problems

    def import_file(self, path: Path) -> list[str]:
        return self.import_xml(path.suffix.lstrip("."), path.read_text(encoding="utf-8"))

    def saved_after_opening(self, path: Path) -> str | None:
        """The XML the Modeler would write when saving the file right after opening it."""
        result = self.page.evaluate("([kind, xml]) => window.importDiagram(kind, xml)",
                                    [path.suffix.lstrip("."), path.read_text(encoding="utf-8")])
        saved: str | None = result["saved"]
        return saved


def launch_chromium(driver: Any, profile: Path, **options: Any) -> Any:
    """Debian's Chromium, headless, with the flags this closed network needs and a fresh profile."""
    if not CHROMIUM.exists():
        pytest.fail(MISSING_TOOLS)
    return driver.chromium.launch_persistent_context(user_data_dir=str(profile), executable_path=str(CHROMIUM),
                                                     headless=True, chromium_sandbox=False, args=CHROMIUM_ARGS,
                                                     **options)


@pytest.fixture(scope="session")
def modeler_page(modeler_check_url: str, tmp_path_factory: pytest.TempPathFactory,
                 playwright_driver: Any) -> Iterator[ModelerPage]:
    context = launch_chromium(playwright_driver, tmp_path_factory.mktemp("chromium-profile"))
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(30_000)
        modeler = ModelerPage(page)
        page.goto(modeler_check_url)
        page.evaluate("() => window.descriptorsReady.then(() => true)")
        if modeler.page_errors:
            pytest.fail("import.html lädt nicht: " + "; ".join(modeler.page_errors))
        yield modeler
    finally:
        context.close()
