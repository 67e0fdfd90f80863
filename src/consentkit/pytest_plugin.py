"""The consentkit pytest plugin (entry point ``pytest11: consentkit``).

Fixtures:

- ``consentkit_settings``: the middleware's :class:`~consentkit.settings.Settings` the
  checks use. Override it in your ``conftest.py``; by default it is built from the ini
  options ``consentkit_secret_key`` and ``consentkit_policy`` (or the environment variable
  ``CONSENTKIT_SECRET_KEY``), and is ``None`` when neither is set (checks then classify
  with the built-in catalogue and cannot mint cookies).
- ``consentkit``: a :class:`~consentkit.testing.ConsentChecks` for those settings:
  ``consentkit.check_app(app, ["/", "/shop"])`` (or ``check_paths(client, ...)``) is
  the one-line "nothing non-essential before consent" test.
- ``consent_cookie``: ``consent_cookie(["analytics"])`` gives ``{"consentkit": "..."}``.

Importing this module imports no web framework (nor consentkit's middleware): everything
is imported when a fixture is first used.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .settings import Settings
    from .testing import ConsentChecks


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("consentkit_secret_key",
                  "secret key of the consent middleware, to mint consent cookies in tests")
    parser.addini("consentkit_policy",
                  "policy TOML file (relative to the rootdir) that classifies cookies in tests")


@pytest.fixture
def consentkit_settings(pytestconfig: pytest.Config) -> Settings | None:
    """The settings the consentkit fixtures use; override to match your app."""
    from .settings import Settings

    secret = str(pytestconfig.getini("consentkit_secret_key") or "") or os.environ.get(
        "CONSENTKIT_SECRET_KEY", "")
    policy_path = str(pytestconfig.getini("consentkit_policy") or "")
    if not secret:
        return None
    policy = pytestconfig.rootpath / policy_path if policy_path else None
    return Settings(secret_key=secret, policy=policy)


@pytest.fixture
def consentkit(consentkit_settings: Settings | None, pytestconfig: pytest.Config) -> ConsentChecks:
    """Consent cookies and assertions: ``consentkit.check_paths(client, paths)``,
    ``consentkit.assert_clean_before_consent(response)``, ``consentkit.grant(client, [...])``."""
    from .testing import ConsentChecks

    if consentkit_settings is not None:
        return ConsentChecks(consentkit_settings)
    policy_path = str(pytestconfig.getini("consentkit_policy") or "")
    return ConsentChecks(policy=pytestconfig.rootpath / policy_path if policy_path else None)


@pytest.fixture
def consent_cookie(consentkit: ConsentChecks) -> Callable[..., dict[str, str]]:
    """``consent_cookie(["analytics"])`` -> ``{"consentkit": "<signed value>"}``;
    ``consent_cookie()`` is a choice that refuses everything optional."""

    def mint(granted: Any = ()) -> dict[str, str]:
        return consentkit.cookie(granted)

    return mint
