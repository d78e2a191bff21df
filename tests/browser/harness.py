"""Debian's headless Chromium driven by Selenium, for the console's browser tests and
`make screenshots`: open a page, read it as a person does, fill and submit its forms, run
axe-core's accessibility check in it, and save a full-page screenshot.

Selenium talks to Debian's `/usr/bin/chromedriver` directly (a Service with that path, so
Selenium Manager never looks for a driver or a browser to download), with a fresh profile per
browser. The network is closed but for loopback: the flags stop Chromium's own background
connections (updates, sync, QUIC probes), which would otherwise be refused and retried."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from selenium import webdriver
from selenium.common.exceptions import (
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

T = TypeVar("T")

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)
WIDTH, HEIGHT = 1280, 900
BLOCKING_IMPACTS = ("serious", "critical")

MISSING = (
    "the browser tests need Debian's Chromium and its driver: "
    "apt-get install chromium chromium-driver (.ci/run installs them when missing)"
)


def available() -> bool:
    return CHROMIUM.exists() and CHROMEDRIVER.exists()


@dataclass(frozen=True)
class Violation:
    """One axe-core rule a page breaks, with the elements that break it."""

    rule: str
    impact: str
    help: str
    targets: list[str]

    def __str__(self) -> str:
        return f"{self.impact}: {self.rule} ({self.help}) at {', '.join(self.targets)}"


class Browser:
    """One headless Chromium window; `base` is the server's origin, so pages are named by path."""

    def __init__(self, driver: webdriver.Chrome, base: str) -> None:
        self.driver = driver
        self.base = base.rstrip("/")

    def open(self, path_or_url: str) -> None:
        url = path_or_url if "://" in path_or_url else self.base + path_or_url
        self.driver.get(url)

    @property
    def path(self) -> str:
        url: str = self.driver.current_url
        return url.removeprefix(self.base)

    @property
    def title(self) -> str:
        return str(self.driver.title)

    def text(self, css: str = "body") -> str:
        """What a person reads in the element (rendered text, hidden elements left out)."""
        return self._settled(lambda: str(self.driver.find_element(By.CSS_SELECTOR, css).text))

    def texts(self, css: str) -> list[str]:
        return self._settled(
            lambda: [str(e.text) for e in self.driver.find_elements(By.CSS_SELECTOR, css)]
        )

    def _settled(self, read: Callable[[], T]) -> T:
        """`read()`, again if the page was replaced while it read (a page refreshing itself)."""
        for _ in range(20):
            try:
                return read()
            except StaleElementReferenceException:
                time.sleep(0.1)
        return read()

    def element(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def elements(self, css: str) -> list[WebElement]:
        return list(self.driver.find_elements(By.CSS_SELECTOR, css))

    def field(self, label: str) -> WebElement:
        """The input a `<label>` with this text names, as a screen reader finds it."""
        for candidate in self.driver.find_elements(By.TAG_NAME, "label"):
            if candidate.text.strip().rstrip(":") == label:
                target = candidate.get_attribute("for")
                if target:
                    return self.driver.find_element(By.ID, target)
                return candidate.find_element(By.CSS_SELECTOR, "input, select, textarea")
        raise AssertionError(f"no field labelled {label!r} on {self.path}")

    def fill(self, label: str, value: str) -> None:
        element = self.field(label)
        element.clear()
        element.send_keys(value)

    def set_date(self, label: str, day: str) -> None:
        """Set a date input (`YYYY-MM-DD`) as its date picker would: typed dates follow the
        browser's locale, which a test should not depend on."""
        self.driver.execute_script("arguments[0].value = arguments[1]", self.field(label), day)

    def choose(self, label: str, option_text: str) -> None:
        Select(self.field(label)).select_by_visible_text(option_text)

    def count(self, css: str) -> int:
        return len(self.driver.find_elements(By.CSS_SELECTOR, css))

    def wait_for_text(self, css: str, any_of: tuple[str, ...], seconds: float = 60) -> str:
        """The element's text once it holds one of `any_of` (a page that refreshes itself
        is read again after each refresh)."""

        def shown(driver: webdriver.Chrome) -> str | bool:
            try:
                text = str(driver.find_element(By.CSS_SELECTOR, css).text)
            except WebDriverException:  # between two loads of the page
                return False
            return text if any(part in text for part in any_of) else False

        try:
            found: str = WebDriverWait(self.driver, seconds, poll_frequency=0.2).until(shown)
        except TimeoutException:
            raise AssertionError(
                f"{self.path} never showed any of {any_of}: {self.text()}"
            ) from None
        return found

    def attach(self, label: str, file: Path) -> None:
        self.field(label).send_keys(str(file))

    def press(self, button_text: str, *, by_label: bool = False) -> None:
        """Click the button (or submit input) whose text is `button_text` (or, `by_label`,
        whose accessible name, its aria-label, is), as a person does."""
        for button in self.driver.find_elements(By.CSS_SELECTOR, "button, input[type=submit]"):
            if by_label:
                shown = button.get_attribute("aria-label") or ""
            else:
                shown = button.text or button.get_attribute("value") or ""
            if shown.strip() == button_text:
                self._navigating(button.click)
                return
        raise AssertionError(f"no button {button_text!r} on {self.path}")

    def follow(self, link_text: str) -> None:
        self._navigating(self.driver.find_element(By.LINK_TEXT, link_text).click)

    def _navigating(self, action: Callable[[], None]) -> None:
        """Do `action` and wait until the browser has left the page for the next one."""
        page = self.driver.find_element(By.TAG_NAME, "html")
        action()
        WebDriverWait(self.driver, 60, poll_frequency=0.1).until(staleness_of(page))
        WebDriverWait(self.driver, 60, poll_frequency=0.1).until(
            lambda driver: driver.execute_script("return document.readyState") == "complete"
        )

    def cookies(self) -> list[dict[str, Any]]:
        return list(self.driver.get_cookies())

    def accessibility_violations(self) -> list[Violation]:
        """axe-core's serious and critical findings on the page as it is now."""
        if not self.driver.execute_script("return typeof window.axe !== 'undefined'"):
            self.driver.execute_script(AXE.read_text(encoding="utf-8"))
        found = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']})"
            ".then(r => done(JSON.stringify(r.violations)))"
            ".catch(e => done(JSON.stringify({error: String(e)})));"
        )
        violations = json.loads(found)
        if isinstance(violations, dict):
            raise AssertionError(f"axe-core failed on {self.path}: {violations['error']}")
        return [
            Violation(
                v["id"],
                v["impact"],
                v["help"],
                [" ".join(map(str, node["target"])) for node in v["nodes"]],
            )
            for v in violations
            if v.get("impact") in BLOCKING_IMPACTS
        ]

    def assert_accessible(self) -> None:
        violations = self.accessibility_violations()
        assert not violations, f"{self.path}:\n" + "\n".join(map(str, violations))

    def screenshot(self, file: Path) -> None:
        """The whole page, however long, as a PNG."""
        height = int(
            self.driver.execute_script(
                "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)"
            )
        )
        self.driver.set_window_size(WIDTH, max(HEIGHT, height))
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            self.driver.save_screenshot(str(file))
        finally:
            self.driver.set_window_size(WIDTH, HEIGHT)


@contextmanager
def chromium(base: str, profile: Path) -> Iterator[Browser]:
    """A fresh headless Chromium (its profile in `profile`), closed when the block ends."""
    if not available():
        raise RuntimeError(MISSING)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={WIDTH},{HEIGHT}")
    service = Service(executable_path=str(CHROMEDRIVER))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    try:
        yield Browser(driver, base)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


class InLoop:
    """A `Browser` for tests whose server runs in the test's own event loop: every call goes to
    a worker thread, so the loop keeps serving the pages Chromium asks for meanwhile.
    `await page.open("/x")`, `await page.path` (properties too)."""

    def __init__(self, browser: Browser) -> None:
        self.sync = browser

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(type(self.sync), name)
        if isinstance(attribute, property):
            return asyncio.to_thread(attribute.fget, self.sync)  # type: ignore[arg-type]
        method = getattr(self.sync, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            return await asyncio.to_thread(method, *args, **kwargs)

        return call


@asynccontextmanager
async def chromium_in_loop(base: str, profile: Path) -> AsyncIterator[InLoop]:
    """`chromium` for a server in this event loop (started and closed in a worker thread)."""
    opened = chromium(base, profile)
    browser = await asyncio.to_thread(opened.__enter__)
    try:
        yield InLoop(browser)
    finally:
        await asyncio.to_thread(opened.__exit__, None, None, None)
