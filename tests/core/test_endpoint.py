"""The consent endpoint: state, recording, withdrawal, and bad input as clear 4xx."""

from __future__ import annotations

from starlette.testclient import TestClient


def test_get_returns_the_state(client: TestClient) -> None:
    response = client.get("/consentkit/consent")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    state = response.json()
    assert state["given"] is False
    assert state["categories"] == ["necessary"]
    assert state["regime"] == "opt-in"


def test_post_records_and_get_reads_it_back(client: TestClient) -> None:
    posted = client.post("/consentkit/consent", json={"categories": ["analytics"]}).json()
    assert posted["categories"] == ["analytics", "necessary"]
    state = client.get("/consentkit/consent").json()
    assert state["given"] is True
    assert state["categories"] == ["analytics", "necessary"]
    assert state["id"] == posted["id"] and len(state["id"]) == 16


def test_a_changed_choice_keeps_the_consent_id(client: TestClient) -> None:
    first = client.post("/consentkit/consent", json={"categories": ["analytics"]}).json()
    second = client.post("/consentkit/consent", json={"categories": []}).json()
    assert first["id"] == second["id"]
    assert second["categories"] == ["necessary"]


def test_necessary_cannot_be_refused(client: TestClient) -> None:
    state = client.post("/consentkit/consent", json={"categories": []}).json()
    assert "necessary" in state["categories"]


def _error(response: object) -> tuple[int, str]:
    return response.status_code, response.json()["error"]  # type: ignore[attr-defined]


def test_unknown_category_is_400(client: TestClient) -> None:
    response = client.post("/consentkit/consent", json={"categories": ["analytics", "spying"]})
    assert _error(response) == (400, "unknown_category")
    assert "spying" in response.json()["message"]
    assert "set-cookie" not in response.headers


def test_malformed_json_is_400(client: TestClient) -> None:
    for body in (b"{", b"\xff\xfe", b"[]", b'{"categories": "analytics"}', b'{"cats": []}'):
        response = client.post("/consentkit/consent", content=body,
                               headers={"content-type": "application/json"})
        assert response.status_code == 400, body


def test_body_over_4_kib_is_413(client: TestClient) -> None:
    body = b'{"categories": [' + b'"analytics",' * 500 + b'"analytics"]}'
    response = client.post("/consentkit/consent", content=body,
                           headers={"content-type": "application/json"})
    assert _error(response) == (413, "body_too_large")


def test_wrong_content_type_is_415(client: TestClient) -> None:
    response = client.post("/consentkit/consent", data={"categories": "analytics"})
    assert _error(response) == (415, "unsupported_media_type")


def test_cross_site_post_is_403(client: TestClient) -> None:
    foreign = client.post("/consentkit/consent", json={"categories": []},
                          headers={"origin": "https://evil.example"})
    assert _error(foreign) == (403, "cross_site")
    fetch_meta = client.post("/consentkit/consent", json={"categories": []},
                             headers={"sec-fetch-site": "cross-site"})
    assert _error(fetch_meta) == (403, "cross_site")
    own = client.post("/consentkit/consent", json={"categories": []},
                      headers={"origin": "http://shop.test", "sec-fetch-site": "same-origin"})
    assert own.status_code == 200


def test_other_methods_are_405(client: TestClient) -> None:
    response = client.delete("/consentkit/consent")
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]


def test_unknown_path_under_the_prefix_is_404_but_lookalikes_reach_the_app(
    client: TestClient,
) -> None:
    assert client.get("/consentkit/nothing").status_code == 404
    assert client.get("/consentkit-blog").status_code == 404  # the app's own 404
    assert client.get("/consentkit-blog").headers["content-type"].startswith("text/plain")


def test_custom_prefix(client_for: object) -> None:
    client = client_for(prefix="/privacy/consent")  # type: ignore[operator]
    assert client.get("/privacy/consent/consent").status_code == 200
    assert client.get("/consentkit/consent").status_code == 404
