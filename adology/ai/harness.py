"""Run one routine alone on files: the same routine and provider objects the assets use."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adology.ai.config import ProviderName
from adology.ai.registry import open_provider
from adology.ai.routines import ROUTINES
from adology.ai.types import AdInput, AIError, CreativeInput, CreativeKind, Usage
from adology.media.sniff import sniff
from adology.settings import Settings


def load_ad(files: list[Path]) -> AdInput:
    """An ad from a JSON file (copy and creative paths) and/or creative files; the kind is sniffed."""
    fields: dict[str, Any] = {"ad_id": files[0].stem}
    creative_paths: list[Path] = []
    for path in files:
        if path.suffix.lower() == ".json":
            document = json.loads(path.read_text(encoding="utf-8"))
            fields |= {k: document[k] for k in ("ad_id", "brand", "title", "body", "link_url", "cta") if k in document}
            creative_paths += [(path.parent / p) for p in document.get("creatives", [])]
        else:
            creative_paths.append(path)
    creatives = []
    for path in creative_paths:
        data = path.read_bytes()
        media_type = sniff(data[:32])
        if media_type is None:
            raise AIError("unsupported_media", f"{path} is not an image or video Adology can read")
        creatives.append(
            CreativeInput.from_bytes(data, kind=CreativeKind(media_type.kind), content_type=media_type.content_type)
        )
    return AdInput(**fields, creatives=creatives)


async def run_routine(
    routine_name: str, files: list[Path], *, settings: Settings, provider_name: ProviderName | None = None
) -> dict[str, Any]:
    """Run the routine on the ad ``files`` make, with the provider the settings configure (or ``provider_name``)."""
    routine = ROUTINES[routine_name]
    ad = load_ad(files)
    async with open_provider(settings.ai_provider_config(provider_name)) as provider:
        usage = Usage()
        description = None
        if routine.needs_description:
            description, usage = await ROUTINES["describe"].run(provider, ad)
        result, routine_usage = await routine.run(provider, ad, description)
        return {
            "routine": routine.name,
            "provider": provider.name,
            "version": routine.version(provider),
            "ad": ad.model_dump(mode="json"),
            "result": result.model_dump(mode="json"),
            "usage": (usage + routine_usage).model_dump(),
        }
