"""The minimal access log: truncated IPs, coarse user agents, country, retention tag.

``AccessLog`` is the engine's hook; ``truncate_ip`` and ``coarse_user_agent`` are also
used by consent receipts, which keep no more of a visitor than the log does.
"""

from .client_address import ClientAddressResolver as ClientAddressResolver
from .iptrunc import truncate_ip as truncate_ip
from .log import AccessLog as AccessLog
from .retention import purge as purge
from .useragent import CoarseUserAgent as CoarseUserAgent
from .useragent import coarse_user_agent as coarse_user_agent

__all__ = [
    "AccessLog",
    "ClientAddressResolver",
    "CoarseUserAgent",
    "coarse_user_agent",
    "purge",
    "truncate_ip",
]
