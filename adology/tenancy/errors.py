"""What tenancy refuses, each error naming the rule; the API maps them to statuses."""

from __future__ import annotations

from adology.errors import AdologyError


class NotFoundError(AdologyError):
    """No such resource, or it belongs to another organization: the two are indistinguishable on
    purpose, so an id from elsewhere reveals nothing."""

    def __init__(self, resource: str, key: object) -> None:
        super().__init__(f"no {resource} {key}")
        self.resource = resource


class ForbiddenError(AdologyError):
    """The user may see the resource but not do this to it (a member changing a brandspace's brands)."""


class ConflictError(AdologyError):
    """The change collides with what exists (an email already used, a second primary brand)."""


class BrandNotHeldError(AdologyError):
    """The brand is in none of the user's brandspaces, so the user cannot ask for its analysis."""


class InvalidCredentialsError(AdologyError):
    """Wrong email or password, or the user has no password; the message never says which."""

    def __init__(self) -> None:
        super().__init__("the email or password is wrong")


class InvalidTokenError(AdologyError):
    """A bearer token that is unknown, expired or revoked, or whose user was deleted."""


class LoginRateLimitedError(AdologyError):
    """Too many failed logins for this email or address recently; ``retry_after`` in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; try again in {retry_after} seconds")
        self.retry_after = retry_after
