"""Exceptions the core library raises, each naming what went wrong and how to fix it."""


class AdologyError(Exception):
    """Base class for errors Adology reports to an operator."""


class SettingsError(AdologyError):
    """A setting is missing or malformed; the message names each variable and its expected form."""


class StackError(AdologyError):
    """A part of the embedded stack could not be started, stopped or reached."""


class PortInUseError(StackError):
    """A port a stack part needs is taken by another process."""

    def __init__(self, *, port: int, part: str, setting: str) -> None:
        super().__init__(
            f"port {port} needed by {part} is already in use by another process; "
            f"stop that process or choose another port with {setting}"
        )
        self.port = port
        self.part = part


class MigrationError(AdologyError):
    """A schema migration failed or an applied migration was edited after it ran."""


class SourceError(AdologyError):
    """An ad source refused a request or sent something unusable; never carries a secret.

    ``code`` is the source's own error code when it sent one (Meta's ``error.code``), ``status``
    the HTTP status when there was a response.
    """

    def __init__(self, message: str, *, code: int | str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class TransientSourceError(SourceError):
    """A failure worth retrying (throttling, HTTP 429/5xx, a dropped connection); raised once retries run out."""
