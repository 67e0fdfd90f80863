"""One behaviour suite, run against FastAPI (ASGI) and Flask (WSGI): they must not drift."""

from __future__ import annotations

import httpx

from consentkit.testing import mint_consent_cookie

from .conftest import POLICY, SECRET, STREAM_PARTS, AppFactory, set_cookie_names

ESSENTIAL = ["session", "csrftoken"]


def test_only_necessary_cookies_before_consent(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert set_cookie_names(response) == ESSENTIAL
    assert response.json() == {"categories": ["necessary"], "given": False,
                               "allows_analytics": False}


def test_consent_to_analytics_lets_analytics_cookies_through(client: httpx.Client) -> None:
    recorded = client.post("/consentkit/consent", json={"categories": ["analytics"]})
    assert recorded.status_code == 200
    assert set_cookie_names(recorded)[0] == "consentkit"
    response = client.get("/")
    assert set_cookie_names(response) == [*ESSENTIAL, "_ga"]
    assert response.json() == {"categories": ["analytics", "necessary"], "given": True,
                               "allows_analytics": True}


def test_view_sees_consent_on_request_state_and_g(client: httpx.Client) -> None:
    client.post("/consentkit/consent", json={"categories": ["preferences"]})
    assert client.get("/state").json()["categories"] == ["necessary", "preferences"]


def test_withdrawal_expires_cookies_the_browser_still_has(client: httpx.Client) -> None:
    client.post("/consentkit/consent", json={"categories": ["analytics", "marketing"]})
    client.get("/")
    assert client.cookies.get("_ga") == "v1"
    withdrawn = client.post("/consentkit/consent", json={"categories": []})
    expired = [v for v in withdrawn.headers.get_list("set-cookie") if "Max-Age=0" in v]
    assert {v.split("=", 1)[0] for v in expired} >= {"_ga", "_fbp"}
    assert "_ga" not in client.cookies
    assert set_cookie_names(client.get("/")) == ESSENTIAL


def test_tampered_consent_cookie_is_no_consent(client_for: AppFactory) -> None:
    good = mint_consent_cookie(SECRET, ["analytics", "marketing"], policy=POLICY)["consentkit"]
    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    with client_for() as client:
        client.cookies.set("consentkit", tampered)
        response = client.get("/")
    assert response.status_code == 200
    assert set_cookie_names(response) == ESSENTIAL
    assert response.json()["given"] is False


def test_minted_cookie_is_honoured(client_for: AppFactory) -> None:
    with client_for() as client:
        client.cookies.update(mint_consent_cookie(SECRET, ["marketing"], policy=POLICY))
        assert set_cookie_names(client.get("/")) == [*ESSENTIAL, "_fbp"]


def test_endpoint_errors(client: httpx.Client) -> None:
    bad_json = client.post("/consentkit/consent", content=b"{nope",
                           headers={"content-type": "application/json"})
    assert (bad_json.status_code, bad_json.json()["error"]) == (400, "malformed_json")
    unknown = client.post("/consentkit/consent", json={"categories": ["spying"]})
    assert (unknown.status_code, unknown.json()["error"]) == (400, "unknown_category")
    too_big = client.post("/consentkit/consent", content=b"[" + b" " * 5000 + b"]",
                          headers={"content-type": "application/json"})
    assert too_big.status_code == 413
    form = client.post("/consentkit/consent", content=b"categories=analytics",
                       headers={"content-type": "application/x-www-form-urlencoded"})
    assert form.status_code == 415
    foreign = client.post("/consentkit/consent", json={"categories": []},
                          headers={"origin": "https://evil.example"})
    assert foreign.status_code == 403
    put = client.put("/consentkit/consent", json={"categories": []})
    assert put.status_code == 405 and put.headers["allow"] == "GET, HEAD, POST"
    for refused in (bad_json, unknown, too_big, form, foreign, put):
        assert refused.headers.get_list("set-cookie") == []


def test_endpoint_get_and_head(client: httpx.Client) -> None:
    state = client.get("/consentkit/consent")
    assert state.status_code == 200 and state.json()["given"] is False
    head = client.head("/consentkit/consent")
    assert head.status_code == 200 and head.content == b""


def test_static_assets_are_served_with_etag(client: httpx.Client) -> None:
    script = client.get("/consentkit/static/consentkit.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert len(script.content) > 100
    again = client.get("/consentkit/static/consentkit.js",
                       headers={"if-none-match": script.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/consentkit/static/nothing-here.js").status_code == 404


def test_head_has_no_body_and_judged_cookies(client: httpx.Client) -> None:
    response = client.head("/")
    assert response.status_code == 200 and response.content == b""
    assert set_cookie_names(response) == ESSENTIAL


def test_html_trackers_are_held_back_until_consent(client: httpx.Client) -> None:
    before = client.get("/page").text
    assert ' src="https://www.googletagmanager.com' not in before
    assert 'data-consentkit-src="https://www.googletagmanager.com' in before
    assert ' src="https://www.youtube-nocookie.com' not in before
    assert "/consentkit/static/consentkit.js" in before  # the banner is injected
    client.post("/consentkit/consent", json={"categories": ["analytics", "marketing"]})
    after = client.get("/page").text
    assert ' src="https://www.googletagmanager.com/gtag/js?id=G-TEST1"' in after
    assert ' src="https://www.youtube-nocookie.com/embed/abc123"' in after


def test_streamed_html_is_rewritten_and_its_cookies_judged(client: httpx.Client) -> None:
    with client.stream("GET", "/stream") as response:
        body = b"".join(response.iter_bytes()).decode()
        assert "_fbp" not in set_cookie_names(response)
        assert "content-length" not in response.headers
    assert body.endswith(STREAM_PARTS[-1])
    assert ' src="https://www.facebook.com/tr' not in body
    assert 'data-consentkit-src="https://www.facebook.com/tr' in body


def test_rewritten_html_never_has_a_stale_content_length(client: httpx.Client) -> None:
    # ASGI sets an exact length when the whole body came at once; Flask's body is an
    # iterator of unknown length, so the header is dropped (tests/adapters/test_wsgi.py
    # checks the exact length for list bodies).
    response = client.get("/page")
    declared = response.headers.get("content-length")
    assert declared is None or int(declared) == len(response.content)
    assert "consentkit.js" in response.text


def test_collection_route_answers_204_until_analytics_is_granted(
    client: httpx.Client,
) -> None:
    refused = client.post("/collect", content=b'{"event":"view"}')
    assert refused.status_code == 204 and refused.content == b""
    client.post("/consentkit/consent", json={"categories": ["analytics"]})
    granted = client.post("/collect", content=b'{"event":"view"}')
    assert granted.status_code == 200 and granted.text == "counted"


def test_global_privacy_control_refuses_marketing(client: httpx.Client) -> None:
    client.post("/consentkit/consent", json={"categories": ["analytics", "marketing"]},
                headers={"sec-gpc": "1"})
    response = client.get("/", headers={"sec-gpc": "1"})
    assert set_cookie_names(response) == [*ESSENTIAL, "_ga"]
