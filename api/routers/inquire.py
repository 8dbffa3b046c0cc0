"""Inquire: questions about a brandspace answered from its ads, as JSON or streamed as server-sent
events; the brandspace's conversations with every answer."""

from __future__ import annotations

import asyncio
import functools
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import StreamingResponse

from adology.errors import AdologyError
from adology.knowledge.inquire.conversations import (
    conversation,
    conversations_query,
    history,
    inquire_usage,
    require_budget,
    set_inquire_budget,
)
from adology.knowledge.inquire.service import InquireAnswer, ask, clean_question
from adology.logs import get_logger
from api.deps import AdminUser, AiProvider, CurrentUser, Db, Paging, UsableBrandspace
from api.errors import INTERNAL_ERROR_MESSAGE, core_error_status, request_id_of
from api.exports import CSV_RESPONSE, listing
from api.schemas import (
    ConversationDetailOut,
    ConversationOut,
    InquireBudget,
    InquireRequest,
    InquireUsageOut,
    PageOf,
)

log = get_logger(__name__)

router = APIRouter(prefix="/v1", tags=["inquire"])

EVENT_STREAM = "text/event-stream"
CHUNK_WORDS = 6  # words per streamed piece of the answer
ConversationId = Annotated[uuid.UUID, Path(description="a conversation of this brandspace")]


@router.post(
    "/brandspaces/{brandspace_id}/inquire",
    response_model=InquireAnswer,
    responses={200: {"content": {EVENT_STREAM: {"schema": {"type": "string"}}}}},
)
async def inquire(
    body: InquireRequest, space: UsableBrandspace, user: CurrentUser, provider: AiProvider, request: Request
) -> Any:
    """Answer a question about the brandspace's ads, with the figures and ads it rests on (each checked
    against the database). ``Accept: text/event-stream`` streams it: ``progress`` events (reading,
    retrieving, querying, writing, checking), ``answer`` events with the text in pieces, then ``done``
    with the whole answer and its citations (or ``error`` in the error shape)."""
    question = clean_question(body.question)
    pool = request.app.state.pool

    def admissible() -> None:
        with pool.connection() as conn:
            require_budget(conn, user.organization_id)
            if body.conversation_id is not None:
                history(conn, space.id, body.conversation_id)

    # refusals are plain 4xx answers, before any stream starts
    await asyncio.to_thread(admissible)
    asking = functools.partial(
        ask,
        pool.connection,
        provider,
        user=user,
        brandspace=space,
        question=question,
        conversation_id=body.conversation_id,
    )
    if EVENT_STREAM not in request.headers.get("accept", ""):
        return await asking()
    return StreamingResponse(
        _events(request, asking),
        media_type=EVENT_STREAM,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _event(name: str, data: Any) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, default=str)}\n\n".encode()


async def _events(request: Request, asking: Callable[..., Awaitable[InquireAnswer]]) -> AsyncIterator[bytes]:
    queue: asyncio.Queue[bytes | None] = asyncio.Queue()

    async def progress(step: str) -> None:
        await queue.put(_event("progress", {"step": step}))

    async def answer() -> InquireAnswer | None:
        try:
            return await asking(progress=progress)
        except AdologyError as exc:
            log.warning("inquire failed mid-stream", extra={"error": str(exc)[:300]})
            await queue.put(_event("error", _stream_error(request, exc)))
            return None
        finally:
            await queue.put(None)

    task = asyncio.create_task(answer())
    try:
        while (item := await queue.get()) is not None:
            yield item
        result = await task
        if result is not None:
            words = result.answer.split()
            for start in range(0, len(words), CHUNK_WORDS):
                yield _event("answer", {"text": " ".join(words[start : start + CHUNK_WORDS]) + " "})
            yield _event("done", result.model_dump(mode="json"))
    finally:
        if not task.done():
            task.cancel()


def _stream_error(request: Request, exc: AdologyError) -> dict[str, str]:
    status, code = core_error_status(exc)
    message = INTERNAL_ERROR_MESSAGE if status == 500 else str(exc)
    return {"code": code, "message": message, "request_id": request_id_of(request)}


@router.get(
    "/brandspaces/{brandspace_id}/conversations", response_model=PageOf[ConversationOut], responses=CSV_RESPONSE
)
def conversations(request: Request, space: UsableBrandspace, conn: Db, paging: Paging) -> Any:
    """The brandspace's Inquire conversations, newest first."""
    return listing(request, conn, conversations_query(space.id), paging, f"conversations-{space.partition_key}")


@router.get("/brandspaces/{brandspace_id}/conversations/{conversation_id}", response_model=ConversationDetailOut)
def conversation_detail(conversation_id: ConversationId, space: UsableBrandspace, conn: Db) -> dict[str, Any]:
    """One conversation with every answer in order."""
    return conversation(conn, space.id, conversation_id)


@router.get("/inquire/usage", response_model=InquireUsageOut)
def usage(user: CurrentUser, conn: Db) -> dict[str, Any]:
    """The organization's Inquire budget and this month's use: answers, AI calls, tokens, cost."""
    return inquire_usage(conn, user.organization_id)


@router.put("/inquire/budget", response_model=InquireUsageOut)
def budget(body: InquireBudget, admin: AdminUser, conn: Db) -> dict[str, Any]:
    """Set the organization's monthly Inquire budget (admins)."""
    set_inquire_budget(conn, admin.organization_id, body.monthly_usd)
    return inquire_usage(conn, admin.organization_id)
