"""Set-Cookie filtering and cleanup through real HTTP (Starlette's TestClient)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.testclient import TestClient

from consentkit import CookieRule, Policy

from .conftest import set_cookie_names


def test_before_consent_only_necessary_cookies_arrive(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert set_cookie_names(response) == ["session", "csrftoken"]
    assert response.json() == {
        "categories": ["necessary"], "given": False, "id": None, "allows_analytics": False,
    }


def test_after_consent_to_analytics_ga_flows_and_fbp_does_not(client: TestClient) -> None:
    answer = client.post("/consentkit/consent", json={"categories": ["analytics"]})
    assert answer.status_code == 200
    response = client.get("/")
    names = set_cookie_names(response)
    assert "_ga" in names
    assert "_fbp" not in names
    assert "locale" not in names
    body = response.json()
    assert body["given"] is True and body["allows_analytics"] is True
    assert body["id"] == answer.json()["id"]


def test_accept_all_lets_every_known_cookie_through_but_unknown_stays_held(
    client: TestClient,
) -> None:
    client.post("/consentkit/consent",
                json={"categories": ["preferences", "analytics", "marketing"]})
    names = set_cookie_names(client.get("/"))
    assert names == ["session", "csrftoken", "locale", "_ga", "_fbp"]


def test_unknown_cookies_can_be_allowed_by_policy(client_for: Callable[..., TestClient]) -> None:
    client = client_for(policy=Policy(unknown_cookies="allow"))
    assert "mystery_cookie" in set_cookie_names(client.get("/"))


def test_policy_rule_overrides_the_catalogue(client_for: Callable[..., TestClient]) -> None:
    policy = Policy(cookies=[CookieRule("necessary", name="_ga", purpose="Load balancing")])
    client = client_for(policy=policy)
    assert "_ga" in set_cookie_names(client.get("/"))


def test_withdrawal_expires_cookies_already_in_the_browser(client: TestClient) -> None:
    client.post("/consentkit/consent", json={"categories": ["analytics", "marketing"]})
    client.get("/")  # the browser now holds _ga and _fbp
    assert {"_ga", "_fbp"} <= set(client.cookies.keys())
    answer = client.post("/consentkit/consent", json={"categories": []})
    expired = [v for v in answer.headers.get_list("set-cookie") if "Max-Age=0" in v]
    expired_names = {v.split("=", 1)[0] for v in expired}
    assert {"_ga", "_fbp"} <= expired_names
    # Host-only and parent-domain variants, so that script-set domain cookies go too.
    assert any("Domain=shop.test" in v for v in expired if v.startswith("_ga="))
    assert "_ga" not in client.cookies
    assert "_fbp" not in client.cookies


def test_refused_cookies_sent_by_the_browser_are_expired_on_any_page(client: TestClient) -> None:
    client.cookies.set("_fbp", "fb.1.123", domain="shop.test")
    response = client.get("/")
    expiring = [v for v in response.headers.get_list("set-cookie") if v.startswith("_fbp=")]
    assert expiring and all("Max-Age=0" in v for v in expiring)


def test_deleting_a_refused_cookie_is_let_through(client_for: Callable[..., TestClient]) -> None:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from consentkit import ConsentMiddleware

    async def logout(request: object) -> PlainTextResponse:
        response = PlainTextResponse("bye")
        response.delete_cookie("_fbp")
        response.set_cookie("_fbp", "new")
        return response

    app = Starlette(routes=[Route("/logout", logout)])
    app.add_middleware(ConsentMiddleware, secret_key="another-secret-key")
    values = TestClient(app).get("/logout").headers.get_list("set-cookie")
    assert len(values) == 1
    assert values[0].startswith("_fbp=") and "Max-Age=0" in values[0]
    assert not any(v.startswith("_fbp=new") for v in values)
