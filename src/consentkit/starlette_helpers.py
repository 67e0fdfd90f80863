"""Helpers for Starlette and FastAPI views and templates.

- ``ConsentDep``: a FastAPI dependency giving a view the visitor's consent::

      @app.get("/")
      def home(consent: ConsentDep) -> dict[str, bool]:
          return {"analytics": consent.allows("analytics")}

- ``install_jinja_helpers(templates, policy)``: the Jinja helpers of
  :mod:`consentkit.templating` (``consent_allows``, ``consent_script``, ``consent_attrs``,
  ``cookie_table``) for a ``Jinja2Templates``; they read ``request.state.consent``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from .consent import Consent
from .policy import Policy
from .policy_file import load_policy
from .templating import jinja_helpers

if TYPE_CHECKING:
    from jinja2.runtime import Context
    from starlette.templating import Jinja2Templates


def get_consent(connection: HTTPConnection) -> Consent:
    """The visitor's consent, put on ``request.state.consent`` by ConsentMiddleware."""
    consent = getattr(connection.state, "consent", None)
    if not isinstance(consent, Consent):
        raise RuntimeError(
            "no consent on request.state: add consentkit.ConsentMiddleware to the app"
        )
    return consent


ConsentDep = Annotated[Consent, Depends(get_consent)]


def install_jinja_helpers(
    templates: Jinja2Templates,
    policy: Policy | str | Path | None = None,
    *,
    cookie_name: str = "consentkit",
) -> None:
    """Add the consent helpers to ``templates``; give the same ``policy`` (object or TOML
    path) and ``cookie_name`` as to the middleware, for the cookie table."""
    if not isinstance(policy, Policy):
        policy = Policy() if policy is None else load_policy(policy)
    templates.env.globals.update(jinja_helpers(policy, _consent_from_context, cookie_name))


def _consent_from_context(context: Context) -> Consent | None:
    connection = context.get("request")
    if not isinstance(connection, HTTPConnection):
        return None
    consent = getattr(connection.state, "consent", None)
    return consent if isinstance(consent, Consent) else None
