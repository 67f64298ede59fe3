"""How CRM reaches its mail server, from the nameko config or the environment.

The defaults suit a laptop: a development SMTP server on 127.0.0.1:1025 (e.g.
`python -m aiosmtpd -n -l 127.0.0.1:1025`), no TLS, no login.
"""
import os
from dataclasses import dataclass
from email.utils import parseaddr

SECURITY = ("none", "starttls", "ssl")


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    security: str           # none | starttls | ssl
    username: str
    password: str
    sender: str             # "Itinera <no-reply@itinera.local>": From of every message
    timeout: float          # seconds for each SMTP conversation
    max_attempts: int       # then the message is failed
    retry_delay: float      # seconds before the second attempt; doubles after each
    agency_name: str        # signs the letters

    @property
    def sender_domain(self) -> str:
        """Where the Message-IDs are minted: the sender's domain."""
        return parseaddr(self.sender)[1].rpartition("@")[2] or "itinera.local"

    @property
    def lease(self) -> float:
        """How long one attempt may take before it is presumed lost (a crash) and tried again."""
        return 3 * self.timeout + 30


def _get(config: dict, key: str, default) -> str:
    value = config.get(key)
    if value in (None, ""):
        value = os.environ.get(key)
    return str(default if value in (None, "") else value)


def from_config(config: dict | None = None) -> MailSettings:
    config = config or {}
    security = _get(config, "SMTP_SECURITY", "none").lower()
    if security not in SECURITY:
        raise ValueError(f"SMTP_SECURITY must be one of {', '.join(SECURITY)}, not {security!r}")
    return MailSettings(
        host=_get(config, "SMTP_HOST", "127.0.0.1"),
        port=int(_get(config, "SMTP_PORT", 1025)),
        security=security,
        username=_get(config, "SMTP_USERNAME", ""),
        password=_get(config, "SMTP_PASSWORD", ""),
        sender=_get(config, "SMTP_SENDER", "Itinera <no-reply@itinera.local>"),
        timeout=float(_get(config, "SMTP_TIMEOUT", 30)),
        max_attempts=max(1, int(_get(config, "SMTP_MAX_ATTEMPTS", 6))),
        retry_delay=float(_get(config, "SMTP_RETRY_DELAY_SECONDS", 60)),
        agency_name=_get(config, "AGENCY_NAME", "Itinera Travel"),
    )
