"""consentkit.testing against real responses: Starlette's TestClient, httpx.AsyncClient
and Flask's test client."""

from __future__ import annotations

import httpx
import pytest
from flask.testing import FlaskClient
from starlette.testclient import TestClient

from consentkit import ConfigError
from consentkit.consent_cookie import ConsentCodec
from consentkit.testing import (
    ConsentChecks,
    assert_clean_before_consent,
    mint_consent_cookie,
)

from .conftest import SECRET, TRACKED_PAGE, guarded_app, guarded_flask_app, plain_app


def failure(check: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(AssertionError) as info:
        check(*args, **kwargs)  # type: ignore[operator]
    return str(info.value)


def test_marketing_cookie_before_consent_is_named_with_category_rule_and_request(
    checks: ConsentChecks, plain_client: TestClient
) -> None:
    message = failure(checks.assert_clean_before_consent, plain_client.get("/tracked"))
    assert 'Set-Cookie "_fbp" (marketing, by exact "_fbp" (catalogue, Meta)) from GET ' \
        "http://testserver/tracked" in message
    assert "session" not in message


def test_active_tracker_tags_are_named_with_their_rule(
    checks: ConsentChecks, plain_client: TestClient
) -> None:
    message = failure(checks.assert_no_trackers_outside, plain_client.get("/tracked"))
    assert "googletagmanager.com/gtag/js?id=G-TEST" in message
    assert "(analytics, by script \"www.googletagmanager.com/gtag/js\"" in message
    assert "www.facebook.com/tr?id=1&ev=PageView" in message  # the <noscript> pixel
    assert "in GET http://testserver/tracked" in message


def test_held_back_tags_and_necessary_cookies_pass(
    checks: ConsentChecks, plain_client: TestClient
) -> None:
    checks.assert_clean_before_consent(plain_client.get("/held"))


def test_granted_categories_are_allowed(checks: ConsentChecks, plain_client: TestClient) -> None:
    response = plain_client.get("/tracked")
    checks.assert_no_cookies_outside(response, granted=["marketing"])
    message = failure(checks.assert_no_cookies_outside, response, granted=["analytics"])
    assert '"_fbp" (marketing' in message
    checks.assert_no_trackers_outside(response, granted="all")


def test_cookies_set_by_a_redirect_are_checked(
    checks: ConsentChecks, plain_client: TestClient
) -> None:
    response = plain_client.get("/hop")
    assert response.url.path == "/held"
    message = failure(checks.assert_no_cookies_outside, response)
    assert '"_ga" (analytics, by exact "_ga" (catalogue, Google Analytics)) from GET ' \
        "http://testserver/hop" in message


def test_cookie_no_rule_knows_fails_unless_allowed(
    checks: ConsentChecks, plain_client: TestClient
) -> None:
    response = plain_client.get("/mystery")
    message = failure(checks.assert_no_cookies_outside, response)
    assert '"zq_tmp" (unknown purpose, by no rule matched)' in message
    checks.assert_no_cookies_outside(response, allow_unknown=True)


def test_html_string_can_be_checked(checks: ConsentChecks) -> None:
    message = failure(checks.assert_no_trackers_outside, TRACKED_PAGE, url="https://shop.test/")
    assert "in GET https://shop.test/" in message
    checks.assert_no_trackers_outside(TRACKED_PAGE, granted=["analytics", "marketing"])


def test_minted_cookie_is_accepted_by_the_middleware(
    checks: ConsentChecks, guarded_client: TestClient
) -> None:
    checks.grant(guarded_client, ["analytics"])
    response = guarded_client.get("/analytics")
    assert response.json() == {"granted": ["analytics", "necessary"]}
    assert "_ga" in response.cookies
    checks.assert_no_cookies_outside(response, granted=["analytics"])


def test_minted_refusal_holds_back_analytics(
    checks: ConsentChecks, guarded_client: TestClient
) -> None:
    checks.grant(guarded_client, ())
    response = guarded_client.get("/analytics")
    assert response.json() == {"granted": ["necessary"]}
    assert "_ga" not in response.cookies
    checks.assert_no_cookies_outside(response)


def test_check_paths_passes_behind_the_middleware(
    checks: ConsentChecks, guarded_client: TestClient
) -> None:
    responses = checks.check_paths(guarded_client, ["/tracked", "/held", "/hop", "/analytics"])
    assert set(responses) == {"/tracked", "/held", "/hop", "/analytics"}


def test_check_app_makes_its_own_client(checks: ConsentChecks) -> None:
    checks.check_app(guarded_app(), ["/tracked", "/analytics"])
    checks.check_app(guarded_flask_app(), ["/tracked", "/analytics"])
    with pytest.raises(AssertionError, match='"_fbp" \\(marketing'):
        checks.check_app(plain_app(), ["/tracked"])


def test_check_paths_lists_every_path_and_a_wrong_path(
    checks: ConsentChecks, plain_client: TestClient
) -> None:
    message = failure(checks.check_paths, plain_client, ["/tracked", "/hop", "/nowhere"])
    assert "from GET http://testserver/tracked" in message
    assert "from GET http://testserver/hop" in message
    assert "GET /nowhere answered 404" in message


def test_check_paths_starts_each_path_as_a_new_visitor(
    checks: ConsentChecks, guarded_client: TestClient
) -> None:
    checks.grant(guarded_client, "all")
    # With the consent cookie still in the jar the middleware would let _ga through.
    checks.check_paths(guarded_client, ["/analytics"])
    assert "consentkit" not in guarded_client.cookies


async def test_check_paths_async_with_httpx_asyncclient(checks: ConsentChecks) -> None:
    transport = httpx.ASGITransport(app=plain_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        with pytest.raises(AssertionError, match='"_fbp" \\(marketing'):
            await checks.check_paths_async(client, ["/tracked"])
    transport = httpx.ASGITransport(app=guarded_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        await checks.check_paths_async(client, ["/tracked", "/analytics"])
        checks.grant(client, ["analytics"])
        response = await client.get("/analytics")
        assert response.json() == {"granted": ["analytics", "necessary"]}


def test_flask_test_response_is_checked(checks: ConsentChecks, flask_client: FlaskClient) -> None:
    message = failure(checks.assert_clean_before_consent, flask_client.get("/tracked"))
    assert 'Set-Cookie "_fbp" (marketing, by exact "_fbp" (catalogue, Meta)) from GET ' \
        "http://localhost/tracked" in message
    assert "googletagmanager.com" in message
    checks.assert_clean_before_consent(flask_client.get("/clean"))
    message = failure(checks.check_paths, flask_client, ["/clean", "/tracked"])
    assert "/clean" not in message and "GET http://localhost/tracked" in message


def test_flask_client_receives_the_minted_cookie(
    checks: ConsentChecks, flask_client: FlaskClient
) -> None:
    checks.grant(flask_client, ["marketing"])
    value = flask_client.get("/cookies").json["consentkit"]  # type: ignore[index]
    record = ConsentCodec([SECRET], 86_400).decode(
        value, "1", frozenset({"necessary", "preferences", "analytics", "marketing"}))
    assert record is not None and record.categories == {"marketing"}


def test_flask_app_behind_consentkit(checks: ConsentChecks) -> None:
    app = guarded_flask_app()
    found = ConsentChecks.for_app(app)
    assert found.settings is not None and found.settings.secret_keys == (SECRET,)
    client = app.test_client()
    found.check_paths(client, ["/tracked", "/clean", "/analytics"])
    found.grant(client, ["analytics"])
    response = client.get("/analytics")
    assert response.json == {"granted": ["analytics", "necessary"]}
    assert response.headers.getlist("Set-Cookie")[0].startswith("_ga=")
    message = failure(found.assert_clean_before_consent, response)
    assert '"_ga" (analytics' in message and "GET http://localhost/analytics" in message


def test_settings_are_found_on_the_app() -> None:
    checks = ConsentChecks.for_app(guarded_app())
    assert checks.settings is not None and checks.settings.secret_keys == (SECRET,)
    with pytest.raises(ConfigError, match="app"):
        ConsentChecks.for_app(plain_app())


def test_wrong_categories_and_missing_secret_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="unknown categories \\['analytic'\\]"):
        ConsentChecks(secret_key=SECRET).cookie(["analytic"])
    with pytest.raises(ConfigError, match="secret_key"):
        ConsentChecks().cookie(["analytics"])


def test_module_shortcuts(plain_client: TestClient) -> None:
    jar = mint_consent_cookie(SECRET, ["analytics"], cookie_name="ck")
    assert list(jar) == ["ck"]
    with pytest.raises(AssertionError, match="_fbp"):
        assert_clean_before_consent(plain_client.get("/tracked"))
