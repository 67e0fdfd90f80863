"""The Flask extension: ``ConsentKit(app)`` or ``ConsentKit()`` + ``init_app(app)``.

Settings come from ``app.config`` under ``CONSENTKIT_<OPTION>`` (the options of
:class:`~consentkit.settings.Settings` in upper case); keyword arguments given to
:class:`ConsentKit` are defaults set with ``app.config.setdefault``. ``CONSENTKIT_SECRET_KEY``
falls back to the app's ``SECRET_KEY`` (the consent cookie is signed with its own salt).

``init_app`` wraps ``app.wsgi_app`` in :class:`consentkit.wsgi.ConsentMiddleware`, puts the
visitor's consent on ``flask.g.consent`` and adds the Jinja helpers of
:mod:`consentkit.templating`. Everything built for an app lives in
``app.extensions["consentkit"]``; the extension object keeps no app and no request.

``g.consent`` costs nothing until it is used: ``init_app`` sets ``app.app_ctx_globals_class``
to a subclass of the app's own that reads the consent the first time ``g`` is asked for it
during a request (``g.consent``, ``g.get("consent")``, ``"consent" in g``...). A class set
on the app after ``init_app`` should derive from the one ``init_app`` left there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g, has_request_context, request
from flask.ctx import _AppCtxGlobals

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
        app.app_ctx_globals_class = globals_with_consent(app.app_ctx_globals_class)
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


class _GlobalsWithConsent(_AppCtxGlobals):
    """``flask.g`` whose ``consent`` is filled in on first use during a request."""

    __slots__ = ()

    def _fill_consent(self) -> Consent | None:
        if not has_request_context():
            return None  # an app context alone (a CLI command): no visitor, no consent
        consent = current_consent()
        self.__dict__["consent"] = consent
        return consent

    def _ensure(self, name: str) -> None:
        if name == "consent" and "consent" not in self.__dict__:
            self._fill_consent()

    def __getattr__(self, name: str) -> Any:
        if name == "consent":
            consent = self._fill_consent()
            if consent is not None:
                return consent
        return super().__getattr__(name)

    def get(self, name: str, default: Any | None = None) -> Any:
        self._ensure(name)
        return super().get(name, default)

    def pop(self, name: str, *default: Any) -> Any:
        self._ensure(name)
        return super().pop(name, *default)

    def setdefault(self, name: str, default: Any = None) -> Any:
        self._ensure(name)
        return super().setdefault(name, default)

    def __contains__(self, item: str) -> bool:
        self._ensure(item)
        return super().__contains__(item)

    def __iter__(self) -> Iterator[str]:
        self._ensure("consent")
        return super().__iter__()


def globals_with_consent(base: type[_AppCtxGlobals]) -> type[_AppCtxGlobals]:
    """The app's ``g`` class (``app.app_ctx_globals_class``) with ``g.consent``."""
    if issubclass(base, _GlobalsWithConsent):
        return base
    if base is _AppCtxGlobals:
        return _GlobalsWithConsent
    return type(base.__name__, (_GlobalsWithConsent, base), {"__slots__": ()})


def _consent_for_template(context: Context) -> Consent | None:
    if not request:
        return None
    consent = g.get("consent")
    return consent if isinstance(consent, Consent) else current_consent()
