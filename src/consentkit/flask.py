"""The Flask extension: ``ConsentKit(app)`` or ``ConsentKit()`` + ``init_app(app)``.

Settings come from ``app.config`` under ``CONSENTKIT_<OPTION>`` (the options of
:class:`~consentkit.settings.Settings` in upper case); keyword arguments given to
:class:`ConsentKit` are defaults set with ``app.config.setdefault``. ``CONSENTKIT_SECRET_KEY``
falls back to the app's ``SECRET_KEY`` (the consent cookie is signed with its own salt).

``init_app`` wraps ``app.wsgi_app`` in :class:`consentkit.wsgi.ConsentMiddleware`, puts the
visitor's consent on ``flask.g.consent`` and adds the Jinja helpers of
:mod:`consentkit.templating`. Everything built for an app lives in
``app.extensions["consentkit"]``; the extension object keeps no app and no request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g, request

from .consent import Consent
from .engine import Engine
from .errors import ConfigError
from .settings import Settings
from .templating import jinja_helpers

if TYPE_CHECKING:
    from jinja2.runtime import Context
from .wsgi import ENVIRON_KEY, ConsentMiddleware, request_info

CONFIG_PREFIX = "CONSENTKIT_"
EXTENSION_KEY = "consentkit"


@dataclass(frozen=True, slots=True)
class ConsentKitState:
    """What ``init_app`` built for one app: ``app.extensions["consentkit"]``."""

    middleware: ConsentMiddleware

    @property
    def engine(self) -> Engine:
        return self.middleware.engine

    @property
    def settings(self) -> Settings:
        return self.middleware.engine.settings


class ConsentKit:
    """Consent enforcement for a Flask app (see the module's documentation)."""

    def __init__(self, app: Flask | None = None, **options: Any) -> None:
        unknown = sorted(set(options) - set(Settings.option_names()))
        if unknown:
            raise ConfigError(unknown[0], f"is not an option; known: {Settings.option_names()}")
        self.defaults: Mapping[str, Any] = dict(options)
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        if EXTENSION_KEY in app.extensions:
            raise RuntimeError("ConsentKit is already initialised on this app")
        for name, value in self.defaults.items():
            app.config.setdefault(CONFIG_PREFIX + name.upper(), value)
        middleware = ConsentMiddleware(app.wsgi_app, **options_from_config(app.config))
        app.wsgi_app = middleware  # type: ignore[method-assign]
        app.extensions[EXTENSION_KEY] = ConsentKitState(middleware)
        app.before_request(_put_consent_on_g)
        settings = middleware.engine.settings
        app.jinja_env.globals.update(
            jinja_helpers(settings.resolved_policy, _consent_for_template, settings.cookie_name)
        )

    @staticmethod
    def state(app: Flask | None = None) -> ConsentKitState:
        """The extension's state for ``app`` (default: the current app)."""
        target = app if app is not None else current_app
        try:
            found: ConsentKitState = target.extensions[EXTENSION_KEY]
        except KeyError:
            raise RuntimeError("ConsentKit is not initialised on this app") from None
        return found


def options_from_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """The Settings keyword arguments found in ``config`` as ``CONSENTKIT_*`` keys."""
    names = {CONFIG_PREFIX + name.upper(): name for name in Settings.option_names()}
    options: dict[str, Any] = {}
    for key, value in config.items():
        if not key.startswith(CONFIG_PREFIX):
            continue
        if key not in names:
            raise ConfigError(key, f"is not a consentkit setting; known: {sorted(names)}")
        options[names[key]] = value
    if "secret_key" not in options and config.get("SECRET_KEY"):
        options["secret_key"] = config["SECRET_KEY"]
    if "secret_key" not in options:
        raise ConfigError("CONSENTKIT_SECRET_KEY", "is required (or set the app's SECRET_KEY)")
    return options


def current_consent() -> Consent:
    """The consent of the current request: what the middleware found, or (when the
    request did not come through it, as with ``app.test_request_context()``) the
    engine's reading of the request."""
    found = request.environ.get(ENVIRON_KEY)
    if isinstance(found, Consent):
        return found
    consent = ConsentKit.state().engine.consent_for(request_info(request.environ))
    request.environ[ENVIRON_KEY] = consent
    return consent


def _put_consent_on_g() -> None:
    found = request.environ.get(ENVIRON_KEY)
    g.consent = found if isinstance(found, Consent) else current_consent()


def _consent_for_template(context: Context) -> Consent | None:
    if not request:
        return None
    consent = g.get("consent")
    return consent if isinstance(consent, Consent) else current_consent()
