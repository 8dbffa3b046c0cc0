"""Saved source payloads: reading them from files and parsing them with the right parser.

A saved payload is one JSON document (a page object or a list of items) or JSON lines, one
document per line. A malformed line is a ParseFailure at its line number, so one bad line in a
large export does not hide the others. A saved payload is redacted here, where it enters, as a
source response is in :class:`~adology.sources.http.SourceHttp`: the parsers keep what they are given.
It is held to the same :mod:`~adology.sources.limits` as a source response: a file larger than a
response may be is refused once that many bytes are read, and a document nested too deep or holding too many values is
refused (a JSON-lines line over them is a ParseFailure at its line number, like a malformed one).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adology.errors import SourceError
from adology.sources.apify import parse_apify_items
from adology.sources.limits import SOURCE_LIMITS, PayloadLimitError, PayloadLimits, parse_json, refuse_oversize
from adology.sources.meta import parse_meta_page
from adology.sources.models import Connector, NormalizedAd, ParseFailure
from adology.sources.redaction import redact_secrets
from adology.sources.serpapi import is_serpapi_details, parse_serpapi_details, parse_serpapi_listing


def load_payload_file(path: str | Path, limits: PayloadLimits = SOURCE_LIMITS) -> tuple[list[Any], list[ParseFailure]]:
    """The documents in a saved payload file and the lines that were not JSON.

    A file holding one JSON value yields that value as its only document (a page object, or a list
    of items that is parsed as one page). Otherwise each non-blank line is a document; a line that
    does not parse, or is over ``limits``, becomes ``ParseFailure(position=<1-based line number>)``.
    Raises SourceError when the file is neither JSON nor JSON lines, is not UTF-8, is larger than
    ``limits.max_bytes`` or is one document over ``limits``.
    """
    path = Path(path)
    with path.open("rb") as file:
        data = file.read(limits.max_bytes + 1)  # one byte past the limit tells a file over it
    try:
        refuse_oversize(len(data), limits)
    except PayloadLimitError as exc:
        raise SourceError(f"{path} is refused: {exc}") from None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path} is not UTF-8 text: {exc}") from None
    if not data.strip():
        return [], []
    try:
        return [parse_json(data, limits)], []
    except (PayloadLimitError, json.JSONDecodeError) as whole_file_error:
        if not data.lstrip().startswith(b"{"):
            verdict = "is refused" if isinstance(whole_file_error, PayloadLimitError) else "is not valid JSON"
            raise SourceError(f"{path} {verdict}: {whole_file_error}") from None
    return _json_lines(path, data, limits)


def _json_lines(path: Path, data: bytes, limits: PayloadLimits) -> tuple[list[Any], list[ParseFailure]]:
    documents: list[Any] = []
    failures: list[ParseFailure] = []
    for line_number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            documents.append(parse_json(line, limits))
        except PayloadLimitError as exc:
            reason = f"line {line_number} is refused: {exc}"
            failures.append(ParseFailure(position=line_number, reason=reason))
        except json.JSONDecodeError as exc:
            reason = f"line {line_number} is not valid JSON: {exc.msg}"
            failures.append(ParseFailure(position=line_number, reason=reason))
    if not documents:
        # Not one line parsed: a malformed multi-line document, not JSON lines with a few bad ones.
        raise SourceError(f"{path} is neither JSON nor JSON lines ({failures[0].reason})")
    return documents, failures


def parse_payload(connector: Connector, document: Any) -> tuple[list[NormalizedAd], list[ParseFailure]]:
    """Parse one saved document with the parser for ``connector``.

    Meta: an ``ads_archive`` page or a list of ads. Apify: a list of dataset items or one item.
    SerpApi: a listing page, or a details response on its own (one ad, ids from its search
    parameters). Raises SourceError when the document is a source error or not of that shape.
    """
    document = redact_secrets(document)
    if connector is Connector.META:
        return parse_meta_page(document)
    if connector is Connector.APIFY:
        return parse_apify_items([document] if isinstance(document, dict) else document)
    if is_serpapi_details(document):
        return parse_serpapi_details(document)
    return parse_serpapi_listing(document)
