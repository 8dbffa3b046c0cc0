"""The API's contract: request bodies and response models, which are also the OpenAPI schema."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from adology.knowledge.inquire.service import InquireAnswer
from adology.knowledge.insights.model import BrandInsights
from adology.knowledge.report_model import BrandspaceReport
from adology.requests.messages import BRAND_KEY_PATTERN
from adology.tenancy.passwords import MAX_PASSWORD_LENGTH

T = TypeVar("T")

Email = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")


def _without_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    if isinstance(value, dict):
        for item in value.values():
            _without_nul(item)
    elif isinstance(value, list):
        for item in value:
            _without_nul(item)
    return value


class Body(BaseModel):
    """A request body: unknown fields and NUL characters (which Postgres cannot store) are refused."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul_characters(cls, data: Any) -> Any:
        return _without_nul(data)


class PageOf(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null on the last page")


# --- auth and me ---
class TokenRequest(Body):
    email: str = Email
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


class UserOut(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str | None
    role: Literal["admin", "member"]


class OrganizationOut(BaseModel):
    id: uuid.UUID
    name: str


class BrandspaceOut(BaseModel):
    id: uuid.UUID
    name: str
    partition_key: str


class MeOut(BaseModel):
    user: UserOut
    organization: OrganizationOut
    brandspaces: list[BrandspaceOut] = Field(description="the brandspaces this user may switch between")


# --- organization administration ---
class UserCreate(Body):
    email: str = Email
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    display_name: str | None = Field(None, max_length=200)
    role: Literal["admin", "member"] = "member"
    brandspace_ids: list[uuid.UUID] = Field(default_factory=list, max_length=1000)


class BrandspaceCreate(Body):
    name: str = Field(min_length=1, max_length=200)


class MembersIn(Body):
    user_ids: list[uuid.UUID] = Field(max_length=1000)


class BrandRoleIn(Body):
    role: Literal["primary", "competitor", "followed"]


class MembershipOut(BaseModel):
    brand: str
    role: Literal["primary", "competitor", "followed"]
    added: bool
    request_id: uuid.UUID | None = Field(description="the analysis request an addition recorded")


class RemovalOut(BaseModel):
    brand: str
    tracked: bool = Field(description="true when no brandspace holds the brand any more: it is tracked, not analyzed")


# --- brands ---
class BrandOut(BaseModel):
    key: str
    name: str
    category: str | None
    status: Literal["tracked", "analyzed"]
    last_acquired_at: datetime | None
    last_analyzed_at: datetime | None
    ads: int


class BrandSourceOut(BaseModel):
    source: str
    handle: str
    created_at: datetime


class BrandDetailOut(BrandOut):
    active_ads: int
    new_ads_7d: int
    new_ads_30d: int
    described_ads: int
    sources: list[BrandSourceOut]


class BrandspaceBrandOut(BrandOut):
    role: Literal["primary", "competitor", "followed"]
    added_at: datetime
    active_ads: int
    new_ads_7d: int
    new_ads_30d: int


class SpendMonthOut(BaseModel):
    month: datetime
    brand: str
    brand_name: str
    sources: list[str]  # the sources whose ads disclosed a range that month
    ads: int
    ads_disclosing_spend: int
    spend_lower: int | None
    spend_upper: int | None  # null when a range is open-ended ("at least")
    currencies: list[str]
    ads_disclosing_impressions: int
    impressions_lower: int | None
    impressions_upper: int | None


class LookupIn(Body):
    name: str = Field(min_length=1, max_length=200)
    domain: str | None = Field(None, max_length=253)
    facebook_page_id: str | None = Field(None, pattern=r"^\d{1,30}$")


class SourceMatchOut(BaseModel):
    source: str
    handle: str
    name: str
    domain: str | None
    ads_seen: int


class CandidateOut(BaseModel):
    index: int
    name: str
    domain: str | None
    score: float
    matches: list[SourceMatchOut]
    registered_brand: str | None = Field(description="the brand already registered with one of these handles")


class LookupOut(BaseModel):
    id: uuid.UUID
    query: dict[str, Any]
    candidates: list[CandidateOut]
    failures: dict[str, str] = Field(description="sources that could not answer, and why")
    confirmed_brand: str | None


class ConfirmIn(Body):
    candidate: int = Field(ge=0, le=100)


# --- ads ---
class AdFields(BaseModel):
    id: int
    brand: str
    brand_name: str
    source: str
    source_ad_id: str
    platforms: list[str]
    display_format: str | None
    title: str | None
    body: str | None
    cta: str | None
    link_url: str | None
    started_at: datetime | None
    ended_at: datetime | None
    is_active: bool | None
    first_seen_at: datetime


class AdOut(AdFields):
    creatives: int = Field(description="how many creatives the ad has")


class CreativeOut(BaseModel):
    kind: str | None
    content_type: str | None
    bytes: int | None
    url: str | None = Field(description="a presigned S3 URL, valid for a few minutes; null when not stored")
    error: str | None


class DescriptionOut(BaseModel):
    description: str
    word_count: int
    attributes: dict[str, Any]
    analysis_version: str
    provider: str
    model: str
    created_at: datetime


class LabelOut(BaseModel):
    taxonomy: str
    label: str
    confidence: float
    taxonomy_version: str


class AdDetailOut(AdFields):
    last_seen_at: datetime
    media_failure: str | None
    spend_range: dict[str, Any] | None
    impressions_range: dict[str, Any] | None
    creatives: list[CreativeOut]
    description: DescriptionOut | None
    labels: list[LabelOut]


class SearchHitOut(BaseModel):
    id: int
    brand: str
    brand_name: str
    title: str | None
    display_format: str | None
    started_at: datetime | None
    similarity: float


class SearchOut(BaseModel):
    query: str
    model: str
    items: list[SearchHitOut]


# --- requests and notifications ---
class RequestIn(Body):
    brand: str = Field(pattern=BRAND_KEY_PATTERN, description="the brand's key")
    kind: Literal["analyze", "refresh"] = "analyze"


class RequestAccepted(BaseModel):
    id: uuid.UUID
    status: str


class RequestOut(BaseModel):
    id: uuid.UUID
    brand: str | None
    kind: str
    priority: str
    status: str
    failure_reason: str | None
    retries: int
    next_attempt_at: datetime | None
    run_id: str | None
    failed_ads: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class NotificationOut(BaseModel):
    id: int
    kind: str
    request_id: uuid.UUID | None
    brand: str | None
    run_id: str | None
    status: str | None
    counts: dict[str, Any]
    failed_ads: dict[str, Any]
    failure_reason: str | None
    payload: dict[str, Any] | None
    created_at: datetime
    read_at: datetime | None


# --- insights and reports ---
class InsightsVersionOut(BaseModel):
    version: int
    status: str
    ads_counted: int
    computed_at: datetime


class InsightsOut(BaseModel):
    brand: str
    version: int | None = Field(None, description="null before the brand's first insights")
    insights: BrandInsights | None = None
    versions: list[InsightsVersionOut]


class ReportVersionOut(BaseModel):
    version: int
    trigger: str
    created_at: datetime
    as_of: datetime | None


class ReportOut(BaseModel):
    brandspace: str
    version: int | None = Field(None, description="null before the brandspace's first report")
    report: BrandspaceReport | None = None


# --- Inquire ---
class InquireRequest(Body):
    question: str = Field(min_length=1, max_length=2_000, description="a question about the brandspace's ads")
    conversation_id: uuid.UUID | None = Field(
        default=None, description="a conversation of this brandspace to follow up in; none starts one"
    )


class ConversationOut(BaseModel):
    id: uuid.UUID
    title: str
    user_id: uuid.UUID | None
    messages: int
    created_at: datetime
    updated_at: datetime


class ConversationDetailOut(ConversationOut):
    answers: list[InquireAnswer]


class InquireUsageOut(BaseModel):
    month: date = Field(description="the calendar month (UTC) the figures cover")
    budget_usd: float = Field(description="what the organization may spend on Inquire's AI per month; 0: off")
    spent_usd: float
    answers: int
    calls: int
    input_tokens: int
    output_tokens: int


class InquireBudget(Body):
    monthly_usd: float = Field(
        ge=0, le=1_000_000, description="the new monthly budget in US dollars; 0 turns Inquire off"
    )
