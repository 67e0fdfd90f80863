"""Keyboard alone, axe-core in both layers, right-to-left, and the README screenshots."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from browser_support import AXE, NPM_INSTALL, SCREENSHOTS, Shop, Visit, need

pytestmark = pytest.mark.browser

ACTIVE = "document.activeElement"


def focused(visit: Visit) -> str:
    return str(visit.page.evaluate(
        f"{ACTIVE}.getAttribute('data-consentkit-action') || "
        f"{ACTIVE}.getAttribute('data-consentkit-category') || {ACTIVE}.getAttribute('role') || "
        f"{ACTIVE}.tagName"))


def tab_to(visit: Visit, target: str, limit: int = 30) -> None:
    for _ in range(limit):
        visit.page.keyboard.press("Tab")
        if focused(visit) == target:
            return
    raise AssertionError(f"Tab never reached {target}")


def in_dialog(visit: Visit) -> bool:
    return bool(visit.page.evaluate(f"!!{ACTIVE}.closest('[role=dialog]')"))


def test_the_whole_flow_by_keyboard_alone(visit: Visit) -> None:
    visit.goto()
    page = visit.page
    assert focused(visit) == "BODY"  # the first layer does not steal focus
    tab_to(visit, "customize")
    page.keyboard.press("Enter")
    assert focused(visit) == "dialog"
    for _ in range(25):  # focus stays trapped in the dialog
        page.keyboard.press("Tab")
        assert in_dialog(visit)
    page.keyboard.press("Shift+Tab")
    assert in_dialog(visit)
    page.keyboard.press("Escape")
    assert not page.get_by_role("dialog").is_visible()
    assert focused(visit) == "customize"  # focus returns where it was
    page.keyboard.press("Enter")
    tab_to(visit, "analytics")
    page.keyboard.press("Space")
    tab_to(visit, "save")
    page.keyboard.press("Enter")
    page.wait_for_function("consentkit.getConsent().given")
    assert page.evaluate("consentkit.getConsent().categories") == ["necessary", "analytics"]
    # the reopen button takes the focus that was inside the closed banner
    assert page.evaluate(f"{ACTIVE}.className") == "ck-fab"
    page.keyboard.press("Enter")
    assert page.get_by_role("dialog").is_visible()
    assert page.get_by_role("switch", name="Analytics").is_checked()


def run_axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert len(result["passes"]) > 20  # the audit really ran over the page
    return [{"id": v["id"], "nodes": [n["html"][:120] for n in v["nodes"]]}
            for v in result["violations"]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_in_either_layer(visit_for: Callable[..., Visit], shop: Shop,
                                                scheme: str) -> None:
    need(AXE, f"axe-core ({NPM_INSTALL})")
    visit = visit_for(shop, color_scheme=scheme)
    visit.goto()
    assert run_axe(visit.page) == []
    visit.page.get_by_role("button", name="Customize").click()
    visit.page.wait_for_timeout(300)  # let the entrance animation finish
    assert run_axe(visit.page) == []


def test_arabic_is_laid_out_right_to_left(visit: Visit) -> None:
    visit.goto("/?lang=ar")
    page = visit.page
    region = page.get_by_role("region", name="نحن نحترم خصوصيتك")
    assert region.is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.ck-bar')).direction") == "rtl"
    page.get_by_role("button", name="رفض الكل").click()
    fab = page.get_by_role("button", name="تفضيلات الخصوصية")
    fab.wait_for()
    box = fab.bounding_box()
    assert box is not None and box["x"] > 1280 / 2  # the reopen button sits on the right


def test_usable_at_320_pixels(visit_for: Callable[..., Visit], shop: Shop) -> None:
    visit = visit_for(shop, width=320, height=640)
    visit.goto()
    page = visit.page
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    widths = page.evaluate("[...document.querySelectorAll('.ck-bar .ck-b')]"
                           ".map(b => Math.round(b.getBoundingClientRect().width))")
    assert len(set(widths)) == 1 and widths[0] <= 320  # three equal buttons
    page.get_by_role("button", name="Customize").click()
    dialog = page.get_by_role("dialog")
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320


SIZES = {"desktop": (1280, 800), "mobile": (375, 740)}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", ["desktop", "mobile"])
def test_screenshots_of_both_layers(visit_for: Callable[..., Visit], shop: Shop, size: str,
                                    scheme: str) -> None:
    width, height = SIZES[size]
    visit = visit_for(shop, width=width, height=height, color_scheme=scheme)
    visit.goto()
    page = visit.page
    page.emulate_media(reduced_motion="reduce")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    first = SCREENSHOTS / f"banner-first-layer-{size}-{scheme}.png"
    page.screenshot(path=str(first))
    page.get_by_role("button", name="Customize").click()
    second = SCREENSHOTS / f"banner-second-layer-{size}-{scheme}.png"
    page.screenshot(path=str(second))
    assert first.stat().st_size > 5000 and second.stat().st_size > 5000
