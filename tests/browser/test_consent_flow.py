"""Before a choice, Reject all, Accept all, withdrawal: what reaches the trackers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from browser_support import Shop, Visit

pytestmark = pytest.mark.browser

NON_ESSENTIAL = {"_ga", "_ga_ONE", "_fbp"}
CLS = """new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value;
  }).observe({type: 'layout-shift', buffered: true});
  setTimeout(() => resolve(total), 300);
})"""


def bar(visit: Visit) -> Any:
    return visit.page.locator("section.ck-bar")


def test_the_middleware_holds_back_and_injects(visit: Visit) -> None:
    visit.goto()
    html = visit.page.evaluate("fetch('/').then(r => r.text())")
    assert 'id="consentkit-config"' in html
    assert 'data-consentkit-src="https://connect.facebook.net/en_US/fbevents.js"' in html
    assert 'data-consentkit-vendor="YouTube"' in html
    assert '<script src="https://' not in html


def test_before_any_choice_nothing_reaches_a_tracker(visit: Visit) -> None:
    visit.goto()
    page = visit.page
    assert page.get_by_role("region", name="We value your privacy").is_visible()
    assert visit.tracker_requests == []
    assert not visit.js_cookie_names() & NON_ESSENTIAL
    assert not visit.cookie_names() & NON_ESSENTIAL
    assert visit.ran() == []
    # first-party scripts keep working under the guard
    assert page.evaluate("window.__firstParty") == "pong"
    assert "app_state" in visit.js_cookie_names()
    # late-injected trackers were held back in place, not deleted
    held = page.evaluate("[...document.querySelectorAll('[data-consentkit]')]"
                         ".map(e => e.getAttribute('data-consentkit-src'))")
    assert "https://connect.facebook.net/signals/late.js" in held
    assert "https://www.youtube-nocookie.com/embed/late" in held


def test_the_banner_causes_no_layout_shift(visit: Visit) -> None:
    visit.goto()
    assert visit.page.evaluate(CLS) == 0


def test_reject_all_keeps_trackers_out_and_is_remembered(visit: Visit) -> None:
    visit.goto()
    visit.page.get_by_role("button", name="Reject all").click()
    visit.page.wait_for_function("consentkit.getConsent().given")
    assert not bar(visit).is_visible()
    assert visit.page.evaluate("consentkit.getConsent().categories") == ["necessary"]
    visit.reload()
    assert not bar(visit).is_visible()
    assert visit.page.get_by_role("button", name="Privacy preferences").is_visible()
    assert visit.tracker_requests == []
    assert not visit.cookie_names() & NON_ESSENTIAL
    assert visit.ran() == []


def test_accept_all_loads_trackers_in_order_and_survives_reload(visit: Visit) -> None:
    visit.goto()
    page = visit.page
    page.get_by_role("button", name="Accept all").first.click()
    page.wait_for_function("(window.__ran || []).length >= 6")
    ran = visit.ran()
    # the page's own order: gtag.js, its inline config, then the Meta script
    assert [r for r in ran if r in ("gtag", "gtag-config", "fbevents")] == [
        "gtag", "gtag-config", "fbevents"]
    assert {"gtm-late", "fb-late"} <= set(ran)
    assert "vanilla-cc" in ran  # <script type="text/plain" data-category> markup works too
    assert visit.wait_for_request("facebook.com/tr?id=1&ev=PageView")
    assert visit.wait_for_request("youtube-nocookie.com/embed/late")  # held late, now loaded
    updates = page.evaluate("dataLayer.filter(a => a[0] === 'consent' && a[1] === 'update')"
                            ".map(a => a[2])")
    assert updates[-1]["analytics_storage"] == "granted"
    assert updates[-1]["ad_storage"] == "granted"
    assert not bar(visit).is_visible()
    assert page.evaluate(CLS) == 0
    visit.reload()
    page.wait_for_function("(window.__ran || []).includes('fbevents')")
    assert not bar(visit).is_visible()
    assert {"_ga", "_fbp"} <= visit.cookie_names()
    assert page.evaluate("consentkit.allows('marketing')") is True


def test_withdrawing_analytics_deletes_its_cookies(visit: Visit) -> None:
    visit.goto()
    page = visit.page
    page.get_by_role("button", name="Customize").click()
    dialog = page.get_by_role("dialog", name="Privacy preferences")
    dialog.get_by_role("switch", name="Analytics").check()
    dialog.get_by_role("button", name="Save choices").click()
    page.wait_for_function("(window.__ran || []).includes('gtag')")
    assert {"_ga", "_ga_ONE"} <= visit.js_cookie_names()
    assert visit.requests_to("connect.facebook.net") == []
    domains = {c["name"]: c["domain"] for c in visit.context.cookies()}
    assert domains["_ga"] == ".shop.test"  # set on the parent domain, as GA does

    page.get_by_role("button", name="Privacy preferences").click()
    dialog.get_by_role("switch", name="Analytics").uncheck()
    with page.expect_navigation():  # gtag.js ran and cannot be unloaded: reload
        dialog.get_by_role("button", name="Save choices").click()
    page.wait_for_function("window.__lateDone === true")
    assert not visit.cookie_names() & NON_ESSENTIAL
    assert page.evaluate("consentkit.allows('analytics')") is False


def test_cookie_writes_of_refused_categories_are_dropped(visit: Visit) -> None:
    visit.goto()
    page = visit.page
    page.evaluate("""() => {
      document.cookie = 'ui_theme=dark; path=/';
      document.cookie = '_pk_id.1.abcd=42; path=/';
      document.cookie = 'basket=3; path=/';
    }""")
    names = visit.js_cookie_names()
    assert "basket" in names  # not a tracker cookie: untouched
    assert not names & {"ui_theme", "_pk_id.1.abcd"}


def test_withdrawal_without_a_running_script_deletes_cookies_in_place(visit: Visit) -> None:
    visit.goto()
    page = visit.page
    page.evaluate("consentkit.set(['preferences'])")
    page.wait_for_function("consentkit.allows('preferences')")
    page.evaluate("""() => {
      document.cookie = 'ui_theme=dark; path=/';
      document.cookie = 'ui_theme=dark; domain=shop.test; path=/';
      window.__samePage = true;
    }""")
    assert len([c for c in visit.context.cookies() if c["name"] == "ui_theme"]) == 2

    def without_server_cleanup(route: Any) -> None:  # prove the browser side deletes them
        route.fulfill(status=200, content_type="application/json",
                      body='{"given":true,"categories":["necessary"],"id":"x","version":"1"}')

    page.route("**/consentkit/consent", without_server_cleanup)
    page.evaluate("consentkit.set([])")
    page.wait_for_function("!consentkit.allows('preferences')")
    assert page.evaluate("window.__samePage") is True  # nothing to unload: no reload
    assert "ui_theme" not in visit.cookie_names()


def test_a_failed_save_keeps_the_banner_open_and_says_so(visit: Visit) -> None:
    visit.goto()
    page = visit.page

    def refuse(route: Any) -> None:
        if route.request.method == "POST":
            route.fulfill(status=503, content_type="application/json",
                          body='{"error":"storage_unavailable"}')
        else:
            route.continue_()

    page.route("**/consentkit/consent", refuse)
    page.get_by_role("button", name="Accept all").first.click()
    page.get_by_text("Your choice could not be saved").first.wait_for()
    assert bar(visit).is_visible()
    assert visit.tracker_requests == []


def test_loading_one_embed_grants_its_category(visit: Visit) -> None:
    visit.goto()
    page = visit.page
    holder = page.locator(".ck-ph").first
    assert "YouTube" in holder.inner_text()
    assert "Marketing" in holder.inner_text()
    box = holder.bounding_box()
    assert box is not None and (box["width"], box["height"]) == (560, 315)
    holder.get_by_role("button", name="Load content").click()
    page.wait_for_function("consentkit.allows('marketing')")
    page.wait_for_function("document.querySelector('iframe[title=\"How the kettle works\"]')"
                           ".getAttribute('src') !== null")
    assert visit.wait_for_request("youtube-nocookie.com/embed/kettle")
    assert page.locator(".ck-ph").count() == 0
    assert page.evaluate("consentkit.allows('analytics')") is False


def test_global_privacy_control_refuses_marketing(visit_for: Callable[..., Visit],
                                                  shop: Shop) -> None:
    visit = visit_for(shop, gpc=True)
    visit.goto()
    page = visit.page
    assert page.get_by_text("Global Privacy Control").first.is_visible()
    page.get_by_role("button", name="Accept all").first.click()
    page.wait_for_function("(window.__ran || []).includes('gtag')")
    assert page.evaluate("consentkit.allows('marketing')") is False
    assert visit.requests_to("connect.facebook.net") == []


def test_cache_safe_page_asks_the_endpoint(visit_for: Callable[..., Visit],
                                           cached_shop: Shop) -> None:
    visit = visit_for(cached_shop)
    visit.goto()
    page = visit.page
    assert bar(visit).is_visible()
    page.get_by_role("button", name="Accept all").first.click()
    page.wait_for_function("(window.__ran || []).includes('fbevents')")
    visit.tracker_requests.clear()
    visit.reload()  # the page is the same for everyone; the script asks who this is
    page.wait_for_function("(window.__ran || []).includes('fbevents')")
    assert not bar(visit).is_visible()


def test_change_event_and_callbacks(visit: Visit) -> None:
    visit.goto()
    page = visit.page
    page.evaluate("""() => {
      window.__events = [];
      document.addEventListener('consentkit:change', e => __events.push(e.detail.categories));
      consentkit.onChange(s => __events.push(['cb'].concat(s.categories)));
    }""")
    page.get_by_role("button", name="Reject all").click()
    page.wait_for_function("__events.length === 2")
    assert page.evaluate("__events") == [["cb", "necessary"], ["necessary"]]
