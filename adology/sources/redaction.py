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
    every page of every source goes through it, so it is on the acquisition's hot path. The walk
    keeps its own stack instead of recursing, so no depth of nesting can exhaust Python's (a
    hostile page nests thousands of levels deep); ``value`` is a tree, as anything JSON is.
    """
    if isinstance(value, str):
        return redact_url(mask_secrets(value, secrets) if secrets else value)
    if not isinstance(value, dict | list | tuple):
        return value
    copy: Any = {} if isinstance(value, dict) else [None] * len(value)
    # (original container, its copy to fill): a copy is attached to its parent when it is made, so
    # the order containers are filled in does not matter
    pending: list[tuple[Any, Any]] = [(value, copy)]
    while pending:
        original, target = pending.pop()
        for key, item in original.items() if isinstance(original, dict) else enumerate(original):
            if isinstance(key, str):  # a list's positions are ints: never secret
                if secrets:
                    key = mask_secrets(key, secrets)
                if key.lower() in SECRET_NAMES:
                    continue
            # inlined rather than a call per value: every node of every page passes here
            if isinstance(item, str):
                target[key] = redact_url(mask_secrets(item, secrets) if secrets else item)
            elif isinstance(item, dict | list | tuple):
                target[key] = child = {} if isinstance(item, dict) else [None] * len(item)
                pending.append((item, child))
            else:
                target[key] = item
    return copy


def mask_secrets(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with each of ``secrets`` replaced by a marker wherever it appears."""
    for secret in secrets:
        text = text.replace(secret, "[redacted]")
    return text
