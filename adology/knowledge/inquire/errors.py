"""What Inquire refuses, each with a message a person can act on."""

from __future__ import annotations

from adology.errors import AdologyError


class InquireError(AdologyError):
    """A question Inquire will not answer as asked."""


class QuestionError(InquireError):
    """The question itself is unusable: empty, too long, or not text."""


class BudgetExceededError(InquireError):
    """The organization's Inquire budget for the month is spent."""
