"""Removing credentials from anything a source sent or we asked for, before it is stored or logged.

Sources echo secrets back: Meta's ``ad_snapshot_url`` and ``paging.next`` embed the caller's
``access_token``, and saved request URLs carry SerpApi's ``api_key``. Redaction drops those query
parameters from every URL found in a string and drops the same names as dictionary keys.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

SECRET_NAMES = frozenset({"access_token", "api_key", "token"})

# A query component: from "?" up to a fragment, whitespace or a character that ends a URL in text.
_QUERY = re.compile(r"\?([^\s#\"'<>]*)")


def redact_url(text: str) -> str:
    """``text`` with secret query parameters removed from every URL in it; other bytes untouched."""
    if "?" not in text:
        return text
    return _QUERY.sub(_drop_secret_parameters, text)


def _drop_secret_parameters(match: re.Match[str]) -> str:
    parameters = match.group(1).split("&")
    kept = [parameter for parameter in parameters if not _is_secret_parameter(parameter)]
    if len(kept) == len(parameters):
        # Re-joining an untouched query could still change it (e.g. "a&&b"); leave it byte for byte.
        return match.group(0)
    return "?" + "&".join(kept) if kept else ""


def _is_secret_parameter(parameter: str) -> bool:
    name = unquote(parameter.split("=", 1)[0]).strip().lower()
    return name in SECRET_NAMES


def redact_secrets(value: Any) -> Any:
    """A deep copy of ``value`` without secret keys and without secret parameters in any URL string."""
    if isinstance(value, dict):
        return {
            key: redact_secrets(item)
            for key, item in value.items()
            if not (isinstance(key, str) and key.lower() in SECRET_NAMES)
        }
    if isinstance(value, list | tuple):
        return [redact_secrets(item) for item in value]
    if isinstance(value, str):
        return redact_url(value)
    return value


def scrub_values(value: Any, secrets: tuple[str, ...]) -> Any:
    """A deep copy of ``value`` with every literal occurrence of ``secrets`` masked.

    Catches what key and parameter redaction cannot: a source quoting the token inside an error
    message or echoing it under an unexpected name.
    """
    if not secrets:
        return value
    if isinstance(value, dict):
        return {scrub_values(key, secrets): scrub_values(item, secrets) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_values(item, secrets) for item in value]
    if isinstance(value, str):
        return mask_secrets(value, secrets)
    return value


def mask_secrets(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with each of ``secrets`` replaced by a marker wherever it appears."""
    for secret in secrets:
        text = text.replace(secret, "[redacted]")
    return text
