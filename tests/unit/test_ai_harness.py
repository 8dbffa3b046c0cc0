"""`adology ai run|list`: one routine alone on files, any provider, the typed result as JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ADOLOGY = str(Path(sys.executable).parent / "adology")


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ADOLOGY, *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={**os.environ, "ADOLOGY_STATE_DIR": str(cwd), **(env or {})},
    )


def _creative(path: Path) -> Path:
    image = Image.new("RGB", (800, 1000), (250, 240, 230))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=72)
    draw.text((60, 120), "Glow Serum", fill=(20, 40, 30), font=font)
    draw.text((60, 420), "FREE SHIPPING", fill=(160, 20, 40), font=font)
    draw.rectangle((60, 760, 560, 880), fill=(20, 40, 30))
    draw.text((110, 780), "SHOP NOW", fill=(255, 255, 255), font=font)
    image.save(path, format="JPEG", quality=92)
    return path


def test_list_names_routines_and_providers(tmp_path: Path) -> None:
    listing = _run("ai", "list", cwd=tmp_path).stdout
    for name in ("describe", "label", "embed", "local", "openai", "bedrock"):
        assert name in listing


def test_describe_reads_the_text_drawn_on_a_creative(tmp_path: Path) -> None:
    result = _run("ai", "run", "describe", "--provider", "local", str(_creative(tmp_path / "ad.jpg")), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    read = " ".join(output["result"]["extracted_text"]).upper().replace(" ", "")
    assert "FREESHIPPING" in read and "SHOPNOW" in read
    attributes = output["result"]["attributes"]
    assert attributes["offer_type"] == "free_shipping"
    assert attributes["cta"].upper().replace(" ", "") == "SHOPNOW"
    assert "FREE SHIPPING" in output["result"]["description"].upper()


def test_label_tags_the_offer_and_the_cta(tmp_path: Path) -> None:
    result = _run("ai", "run", "label", "--provider", "local", str(_creative(tmp_path / "ad.jpg")), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    labels = {item["label"]: item["confidence"] for item in json.loads(result.stdout)["result"]["labels"]}
    assert labels.get("free_shipping", 0) >= 0.7 and labels.get("shop_now_cta", 0) >= 0.7


def test_a_json_ad_with_copy_and_creatives_embeds(tmp_path: Path) -> None:
    _creative(tmp_path / "ad.jpg")
    (tmp_path / "ad.json").write_text(
        json.dumps(
            {"title": "Glow Serum", "body": "Free shipping this week", "cta": "Shop now", "creatives": ["ad.jpg"]}
        )
    )
    result = _run("ai", "run", "embed", "--provider", "local", str(tmp_path / "ad.json"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    kinds = {item["kind"]: len(item["vector"]) for item in json.loads(result.stdout)["result"]["embeddings"]}
    assert kinds == {"text": 256, "visual": 192, "retrieval": 256}


def test_an_unsupported_file_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.pdf"
    bogus.write_bytes(b"%PDF-1.4 not a creative")
    result = _run("ai", "run", "describe", "--provider", "local", str(bogus), cwd=tmp_path)
    assert result.returncode == 1 and "unsupported_media" in result.stderr and "Traceback" not in result.stderr
