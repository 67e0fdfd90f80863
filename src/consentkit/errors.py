"""The exceptions consentkit raises.

Two families, as in h11: :class:`ConfigError` is the site owner's misuse (raised at
start-up, naming the setting), :class:`ConsentRequestError` is a visitor's bad input on the
consent endpoint (turned into a 4xx JSON answer, never a 500).
"""

from __future__ import annotations


class ConsentKitError(Exception):
    """Base class of every exception consentkit raises."""


class ConfigError(ConsentKitError, ValueError):
    """A setting or a policy entry is wrong. Raised at start-up, never during a request.

    ``setting`` names the offending key (``"policy.cookies[3].category"``, ``"secret_key"``),
    ``problem`` says what is wrong with it, ``source`` names the file it came from, if any.
    """

    def __init__(self, setting: str, problem: str, source: str | None = None) -> None:
        self.setting = setting
        self.problem = problem
        self.source = source
        where = f" (in {source})" if source else ""
        super().__init__(f"{setting}: {problem}{where}")


class ConsentRequestError(ConsentKitError):
    """A request to the consent endpoint was refused; carries the HTTP status to answer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"{status} {code}: {message}")


class StorageError(ConsentKitError):
    """A consent receipt could not be stored; the endpoint answers 503 and sets no cookie."""
