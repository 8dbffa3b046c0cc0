"""A local stand-in for OpenAI and Bedrock Runtime: test and benchmark equipment, never a default.

It speaks enough of OpenAI's Chat Completions and Embeddings APIs and of Bedrock Runtime's
``invoke`` (Titan embeddings) and ``converse`` for the real ``openai`` and ``boto3`` clients to
talk to it, answers with schema-valid made-up content, and injects the faults real providers
have (latency, queueing, 429s with Retry-After, 500s, malformed output), all configurable while
it runs. Nothing in production builds a client against it unless told its URL.
"""

from __future__ import annotations

from simulators.ai_service.config import FakeServerConfig, FakeServerStats
from simulators.ai_service.server import LOOPBACK, FakeAIServer, serve

__all__ = ["LOOPBACK", "FakeAIServer", "FakeServerConfig", "FakeServerStats", "serve"]
