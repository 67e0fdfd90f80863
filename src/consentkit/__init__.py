"""consentkit: make a web app's cookie policy true on the wire."""

from typing import TYPE_CHECKING

from .consent import Consent as Consent
from .errors import ConfigError as ConfigError
from .errors import ConsentKitError as ConsentKitError
from .policy import Category as Category
from .policy import CookieRule as CookieRule
from .policy import Policy as Policy
from .policy import SnippetRule as SnippetRule
from .policy import TrackerRule as TrackerRule
from .policy_file import load_policy as load_policy
from .settings import Settings as Settings

if TYPE_CHECKING:  # imported lazily at run time (it needs Starlette), typed for checkers
    from .asgi import ConsentMiddleware as ConsentMiddleware

__all__ = [
    "Category",
    "ConfigError",
    "Consent",
    "ConsentKitError",
    "ConsentMiddleware",
    "CookieRule",
    "Policy",
    "Settings",
    "SnippetRule",
    "TrackerRule",
    "load_policy",
]


def __getattr__(name: str) -> object:
    # The ASGI adapter imports Starlette; keep `import consentkit` free of it until used.
    if name == "ConsentMiddleware":
        from .asgi import ConsentMiddleware

        return ConsentMiddleware
    raise AttributeError(f"module 'consentkit' has no attribute {name!r}")
