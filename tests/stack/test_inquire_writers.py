"""Inquire's writers on the real stack: the OpenAI provider against the simulated AI service, a writer
whose draft fails the checks, and a writer that fails; the answer is grounded whichever writes it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from adology.ai.answers import AnswerDraft, AnswerRequest
from adology.ai.config import LocalConfig, OpenAIConfig
from adology.ai.registry import open_provider
from adology.ai.types import Usage
from adology.knowledge.inquire.service import InquireAnswer, ask
from adology.settings import Settings
from adology.storage.postgres import open_pool
from adology.tenancy.brandspaces import Brandspace, usable_brandspace
from simulators.ai_service import FakeAIServer, FakeServerConfig
from tests.api_world import World


@pytest.fixture(scope="module")
def fake_ai() -> Iterator[FakeAIServer]:
    with FakeAIServer(FakeServerConfig(retry_after_seconds=0.0)) as server:
        yield server


@pytest.fixture(scope="module")
def pool(stack_settings: Settings) -> Iterator[ConnectionPool]:
    with open_pool(stack_settings.database_url or "", min_size=1, max_size=4) as opened:
        yield opened


@pytest.fixture(scope="module")
def space(world: World, pool: ConnectionPool) -> Brandspace:
    with pool.connection() as conn:
        return usable_brandspace(conn, world.a.admin, world.a.brandspace.id)


def _question(world: World) -> str:
    return f"How many video ads did Api {world.tag} primary run?"


class _Liar:
    """The local provider, except that its answers cite what the evidence does not hold."""

    def __init__(self, inner: object, draft: AnswerDraft) -> None:
        self._inner = inner
        self._draft = draft

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    async def answer(self, request: AnswerRequest) -> tuple[AnswerDraft, Usage]:
        return self._draft, Usage(calls=1)


def _asked_with(
    config: object, pool: ConnectionPool, world: World, space: Brandspace, liar: AnswerDraft | None = None
) -> InquireAnswer:
    async def run() -> InquireAnswer:
        async with open_provider(config) as provider:  # type: ignore[arg-type]
            writer = _Liar(provider, liar) if liar else provider
            return await ask(pool.connection, writer, user=world.a.admin, brandspace=space, question=_question(world))  # type: ignore[arg-type]

    return asyncio.run(run())


def test_the_openai_writer_answers_from_the_evidence_and_its_cost_is_recorded(
    world: World, space: Brandspace, pool: ConnectionPool, fake_ai: FakeAIServer, stack_settings: Settings
) -> None:
    config = OpenAIConfig(base_url=f"{fake_ai.base_url}/v1", api_key="sk-test-key")
    answer = _asked_with(config, pool, world, space)
    primary = world.brands["primary"]
    assert answer.routine_version.startswith("openai/") and answer.usage.calls == 1
    assert answer.usage.input_tokens > 0 and answer.usage.cost_usd > 0
    assert {citation.brand for citation in answer.citations} <= {primary}
    # whatever the service wrote, what is shown passed the checks or is the evidence's own statement
    assert answer.check == "kept" or answer.answer.startswith(f"Api {world.tag} primary ran")
    with psycopg.connect(stack_settings.database_url) as conn:
        stored = conn.execute(
            "SELECT routine_version, input_tokens, cost_usd FROM inquire_messages WHERE id = %s", (answer.message_id,)
        ).fetchone()
    assert stored is not None and stored[0] == answer.routine_version and stored[1] > 0 and stored[2] > 0

    fake_ai.configure(malformed_first_n=2)  # asked twice, malformed twice: the routine fails
    failed = _asked_with(config, pool, world, space)
    assert failed.check == "ai_error:ai_malformed_output" and failed.result == answer.result
    assert f"Api {world.tag} primary ran" in failed.answer


@pytest.mark.parametrize(
    ("draft", "reason"),
    [
        (lambda world: AnswerDraft(answer="It ran 999 video ads.", fact_ids=["count"], ad_ids=[]), "unverified_number"),
        (
            lambda world: AnswerDraft(
                answer="See ad.", fact_ids=["count"], ad_ids=[world.ads[world.brands["b_only"]][0]]
            ),
            "foreign_ad",
        ),
        (lambda world: AnswerDraft(answer="Ad 1 says so.", fact_ids=["count"], ad_ids=[]), "uncited_ad"),
        (lambda world: AnswerDraft(answer="Trust me.", fact_ids=["made-up"], ad_ids=[]), "unknown_fact"),
    ],
)
def test_a_draft_that_fails_the_checks_is_replaced_by_the_evidence(
    world: World, space: Brandspace, pool: ConnectionPool, draft: object, reason: str
) -> None:
    answer = _asked_with(LocalConfig(), pool, world, space, liar=draft(world))  # type: ignore[operator]
    assert answer.check == reason
    assert answer.answer.startswith(f"Api {world.tag} primary ran") and "999" not in answer.answer
    assert {citation.brand for citation in answer.citations} == {world.brands["primary"]}
