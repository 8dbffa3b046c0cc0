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


def redact_secrets(value: Any, secrets: tuple[str, ...] = ()) -> Any:
    """A deep copy of ``value`` without secret keys, without secret parameters in any URL string
    and, when ``secrets`` are given, with every literal occurrence of them masked (keys included).

    The literal masking catches what key and parameter redaction cannot: a source quoting the
    token inside an error message or echoing it under an unexpected name. One walk does both:
    every page of every source goes through it, so it is on the acquisition's hot path.
    """
    if isinstance(value, str):
        return redact_url(mask_secrets(value, secrets) if secrets else value)
    if isinstance(value, dict):
        redacted = {}
        for key, item in value.items():
            if isinstance(key, str):
                if secrets:
                    key = mask_secrets(key, secrets)
                if key.lower() in SECRET_NAMES:
                    continue
            redacted[key] = redact_secrets(item, secrets)
        return redacted
    if isinstance(value, list | tuple):
        return [redact_secrets(item, secrets) for item in value]
    return value


def mask_secrets(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with each of ``secrets`` replaced by a marker wherever it appears."""
    for secret in secrets:
        text = text.replace(secret, "[redacted]")
    return text
