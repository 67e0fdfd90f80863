"""Test helpers: mint a consent cookie, assert that nothing non-essential reaches a visitor.

Works with the responses of Starlette's ``TestClient`` and ``httpx`` (sync or async) and
with Flask's test client (werkzeug's ``TestResponse``). Imports no web framework: clients
and responses are used through the methods they share.

::

    checks = ConsentChecks(secret_key="...", policy="policy.toml")
    checks.assert_clean_before_consent(client.get("/"))
    checks.grant(client, ["analytics"])
    checks.assert_no_cookies_outside(client.get("/"), granted=["analytics"])
    checks.check_paths(client, ["/", "/shop", "/about"])      # before consent, each path

A failure names the cookie or tag, its category, the rule that classified it and the
request that produced it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .classify import Classifier
from .consent_cookie import ConsentCodec, new_consent_id
from .errors import ConfigError
from .policy import NECESSARY, Policy
from .scan.findings import Finding, breaches, cookie_findings, tag_findings
from .scan.tags import scan_html
from .settings import Settings

__all__ = [
    "ConsentChecks",
    "assert_clean_before_consent",
    "assert_no_cookies_outside",
    "assert_no_trackers_outside",
    "mint_consent_cookie",
    "response_findings",
]

ALL = "all"
Granted = Iterable[str] | str


class ConsentChecks:
    """Consent cookies and assertions for one site's settings.

    Build it from the middleware's :class:`~consentkit.settings.Settings`, from the same
    keyword arguments (``secret_key=...``, ``policy=...``, ``cookie_name=...``), or from
    the app itself with :meth:`for_app`. Without a secret key it can still check
    responses, but not mint cookies.
    """

    def __init__(self, settings: Settings | None = None, **options: Any) -> None:
        if settings is None and options.get("secret_key") is not None:
            settings = Settings(**options)
        self.settings = settings
        if settings is not None:
            self.policy = settings.resolved_policy
            self.cookie_name = settings.cookie_name
        else:
            self.policy = _policy_option(options.get("policy"))
            self.cookie_name = options.get("cookie_name", "consentkit")
        self.classifier = Classifier(self.policy, consent_cookie=self.cookie_name)
        self.required = self.policy.required_categories | {NECESSARY}

    @classmethod
    def for_app(cls, app: Any) -> ConsentChecks:
        """Find the consent middleware's settings in a Starlette/FastAPI app, a Flask app
        or a ConsentMiddleware instance."""
        settings = find_settings(app)
        if settings is None:
            raise ConfigError("app", f"no consentkit middleware found on {app!r}")
        return cls(settings)

    # -- consent cookies -----------------------------------------------------------------

    def categories(self, granted: Granted) -> frozenset[str]:
        """The categories in force for ``granted`` (``"all"`` or names), required ones
        included; an unknown name raises ConfigError."""
        names = self.policy.category_names
        chosen = set(names) if granted == ALL else {granted} if isinstance(granted, str) \
            else set(granted)
        unknown = sorted(chosen - set(names))
        if unknown:
            raise ConfigError("categories", f"unknown categories {unknown}; known: {list(names)}")
        return frozenset(chosen) | self.required

    def cookie_value(self, granted: Granted = ()) -> str:
        """A signed consent cookie value for these categories (``()``: everything
        optional refused, the visitor has chosen)."""
        if self.settings is None:
            raise ConfigError("secret_key",
                              "is needed to mint a consent cookie; pass the middleware's")
        codec = ConsentCodec(self.settings.secret_keys,
                             self.policy.consent_lifetime_days * 86_400)
        optional = sorted(self.categories(granted) - self.required)
        return codec.encode(self.policy.version, optional, new_consent_id())

    def cookie(self, granted: Granted = ()) -> dict[str, str]:
        """``{cookie_name: value}``, ready for a client's cookie jar."""
        return {self.cookie_name: self.cookie_value(granted)}

    def grant(self, client: Any, granted: Granted = ()) -> None:
        """Put a consent cookie for ``granted`` in a test client's cookie jar."""
        set_client_cookie(client, self.cookie_name, self.cookie_value(granted))

    # -- looking at responses ------------------------------------------------------------

    def findings(self, response: Any) -> list[Finding]:
        """Every Set-Cookie and tracker tag of a response (and of the redirects before it)."""
        return response_findings(response, self.classifier)

    def assert_no_cookies_outside(self, response: Any, granted: Granted = (), *,
                                  allow_unknown: bool = False) -> None:
        """No Set-Cookie of a category outside ``granted`` (required ones always allowed);
        a cookie no rule knows fails too, unless ``allow_unknown``."""
        found = [f for f in self.findings(response) if f.kind == "cookie"]
        _fail_on(breaches(found, self.categories(granted), allow_unknown=allow_unknown),
                 self.categories(granted))

    def assert_no_trackers_outside(self, response: Any, granted: Granted = (), *,
                                   url: str = "http://testserver/") -> None:
        """No active tracker tag of a category outside ``granted`` in an HTML response
        (or an HTML string; ``url`` then stands for its address)."""
        if isinstance(response, str):
            page = scan_html(response, url)
            found = tag_findings(page, self.classifier, "GET", url)
        else:
            found = [f for f in self.findings(response) if f.kind == "tag"]
        _fail_on(breaches(found, self.categories(granted)), self.categories(granted))

    def assert_clean_before_consent(self, response: Any, *, allow_unknown: bool = False) -> None:
        """Only strictly necessary cookies and no tracker tag: what a visitor who has not
        chosen may receive."""
        granted = self.categories(())
        _fail_on(breaches(self.findings(response), granted, allow_unknown=allow_unknown),
                 granted)

    def check_paths(self, client: Any, paths: Iterable[str], granted: Granted | None = None,
                    *, allow_unknown: bool = False) -> dict[str, Any]:
        """GET each path as a new visitor (no cookies; with a consent cookie for
        ``granted`` when given) and fail once, listing everything outside the granted
        categories on every path. A path answering 4xx/5xx fails too. Returns the responses."""
        responses: dict[str, Any] = {}
        for path in paths:
            self._new_visitor(client, granted)
            responses[path] = client.get(path)
        self._judge_paths(responses, granted, allow_unknown)
        return responses

    def check_app(self, app: Any, paths: Iterable[str], granted: Granted | None = None, *,
                  allow_unknown: bool = False) -> dict[str, Any]:
        """:meth:`check_paths` with a test client made for ``app``: Flask's
        ``test_client()``, or Starlette's ``TestClient`` (with lifespan) for ASGI apps."""
        if hasattr(app, "test_client"):
            return self.check_paths(app.test_client(), paths, granted,
                                    allow_unknown=allow_unknown)
        from starlette.testclient import TestClient

        with TestClient(app) as client:
            return self.check_paths(client, paths, granted, allow_unknown=allow_unknown)

    async def check_paths_async(self, client: Any, paths: Iterable[str],
                                granted: Granted | None = None, *,
                                allow_unknown: bool = False) -> dict[str, Any]:
        """:meth:`check_paths` for ``httpx.AsyncClient``."""
        responses: dict[str, Any] = {}
        for path in paths:
            self._new_visitor(client, granted)
            responses[path] = await client.get(path)
        self._judge_paths(responses, granted, allow_unknown)
        return responses

    def _new_visitor(self, client: Any, granted: Granted | None) -> None:
        clear_client_cookies(client)
        if granted is not None:
            self.grant(client, granted)

    def _judge_paths(self, responses: Mapping[str, Any], granted: Granted | None,
                     allow_unknown: bool) -> None:
        allowed = self.categories(() if granted is None else granted)
        problems: list[str] = []
        for path, response in responses.items():
            status = status_of(response)
            if status >= 400:
                problems.append(f"GET {path} answered {status}: is the path right?")
            problems += [f.describe() for f in
                         breaches(self.findings(response), allowed, allow_unknown=allow_unknown)]
        if problems:
            raise AssertionError(_message(problems, allowed))


# -- module-level shortcuts (the built-in catalogue, or a policy you pass) ------------------

def mint_consent_cookie(secret_key: str | bytes | list[str | bytes], granted: Granted = (), *,
                        policy: Policy | str | Path | None = None,
                        cookie_name: str = "consentkit") -> dict[str, str]:
    """``{"consentkit": "<signed value>"}`` for the given categories."""
    return ConsentChecks(secret_key=secret_key, policy=policy,
                         cookie_name=cookie_name).cookie(granted)


def assert_no_cookies_outside(response: Any, granted: Granted = (), *,
                              policy: Policy | str | Path | None = None,
                              allow_unknown: bool = False) -> None:
    ConsentChecks(policy=policy).assert_no_cookies_outside(
        response, granted, allow_unknown=allow_unknown)


def assert_no_trackers_outside(response: Any, granted: Granted = (), *,
                               policy: Policy | str | Path | None = None) -> None:
    ConsentChecks(policy=policy).assert_no_trackers_outside(response, granted)


def assert_clean_before_consent(response: Any, *, policy: Policy | str | Path | None = None,
                                allow_unknown: bool = False) -> None:
    ConsentChecks(policy=policy).assert_clean_before_consent(
        response, allow_unknown=allow_unknown)


# -- reading responses and clients of several libraries -----------------------------------

def response_findings(response: Any, classifier: Classifier) -> list[Finding]:
    found: list[Finding] = []
    for item in [*getattr(response, "history", ()), response]:
        method, url = request_of(item)
        found += cookie_findings(set_cookie_values(item), classifier, method, url)
        html = html_of(item)
        if html is not None:
            found += tag_findings(scan_html(html, url), classifier, method, url)
    return found


def set_cookie_values(response: Any) -> list[str]:
    """Every Set-Cookie value: httpx (``get_list``), werkzeug and Starlette (``getlist``)."""
    headers = response.headers
    getter = getattr(headers, "get_list", None) or getattr(headers, "getlist", None)
    if getter is None:
        raise TypeError(f"cannot read headers of {type(response).__name__}")
    return [str(value) for value in getter("set-cookie")]


def request_of(response: Any) -> tuple[str, str]:
    """``(method, url)`` of the request behind a response, as far as it is known."""
    try:
        request = response.request
    except (AttributeError, RuntimeError):
        return "?", "(request unknown)"
    return str(getattr(request, "method", "?")), str(getattr(request, "url", "?"))


def status_of(response: Any) -> int:
    status = getattr(response, "status_code", None)
    return int(status) if status is not None else 200


def html_of(response: Any) -> str | None:
    """The body of an HTML response as text; ``None`` for other types."""
    content_type = str(response.headers.get("content-type", "")).lower()
    if "html" not in content_type:
        return None
    get_data = getattr(response, "get_data", None)
    if get_data is not None:
        return str(get_data(as_text=True))
    text = getattr(response, "text", None)
    if isinstance(text, str):
        return text
    body = getattr(response, "body", b"")
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else None


def set_client_cookie(client: Any, name: str, value: str) -> None:
    """Put a cookie in a client's jar: Flask/werkzeug (``set_cookie``) or httpx."""
    if hasattr(client, "set_cookie") and not hasattr(client, "cookies"):
        client.set_cookie(name, value)
    else:
        client.cookies.set(name, value)


def clear_client_cookies(client: Any) -> None:
    jar = getattr(client, "cookies", None)
    if jar is not None:
        jar.clear()
        return
    werkzeug_jar = getattr(client, "_cookies", None)
    if isinstance(werkzeug_jar, dict):
        werkzeug_jar.clear()


def find_settings(app: Any) -> Settings | None:
    """The consent middleware's Settings on an app, looked up by duck typing."""
    engine_settings = getattr(getattr(app, "engine", None), "settings", None)
    if isinstance(engine_settings, Settings):
        return engine_settings
    for middleware in getattr(app, "user_middleware", ()):
        if getattr(getattr(middleware, "cls", None), "__name__", "") == "ConsentMiddleware":
            return Settings(**getattr(middleware, "kwargs", {}))
    for candidate in (getattr(app, "wsgi_app", None),
                      getattr(app, "extensions", {}).get("consentkit")
                      if isinstance(getattr(app, "extensions", None), dict) else None):
        if candidate is not None and candidate is not app:
            found = find_settings(candidate)
            if found is not None:
                return found
    settings = getattr(app, "settings", None)
    return settings if isinstance(settings, Settings) else None


def _policy_option(value: Policy | str | Path | None) -> Policy:
    if value is None:
        return Policy()
    if isinstance(value, Policy):
        return value
    from .policy_file import load_policy

    return load_policy(value)


def _fail_on(found: list[Finding], granted: frozenset[str]) -> None:
    if found:
        raise AssertionError(_message([f.describe() for f in found], granted))


def _message(problems: list[str], granted: frozenset[str]) -> str:
    lines = "\n".join(f"  - {problem}" for problem in problems)
    return (f"{len(problems)} problem(s) outside the granted categories "
            f"({', '.join(sorted(granted))}):\n{lines}")
