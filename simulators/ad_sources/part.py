"""The simulated ad sources as a part of the embedded stack (entry point ``adology.stack_parts``).

Locally every source URL defaults to this server, so ``adology stack up`` starts it beside the
stores; in production the sources are the real Meta, Apify and SerpApi endpoints.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import httpx

from adology.stack.parts import Part
from adology.stack.process import PidFile, spawn


@dataclass
class LibraryPart(Part):
    """The local ad library: the embedded stand-in for the Meta, Apify and SerpApi endpoints."""

    name: str = field(init=False, default="library")
    port_setting: str = field(init=False, default="ADOLOGY_LIBRARY_PORT")

    @property
    def pid_file(self) -> PidFile:
        return PidFile(self.state / "run" / "library.pid", marker="adology library serve")

    @property
    def ports(self) -> list[int]:
        return [self.settings.library_port]

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.settings.library_port}"

    def probe(self) -> str:
        response = httpx.get(f"{self.endpoint}/brands", timeout=5)
        response.raise_for_status()
        return f"ad library, {len(response.json())} brands"

    def _start(self) -> int:
        settings = self.settings
        command = [
            sys.executable,
            "-m",
            "adology",
            "library",
            "serve",
            "--port",
            str(settings.library_port),
            "--ads",
            str(settings.library_ads),
            "--brands",
            str(settings.library_brands),
            "--seed",
            str(settings.library_seed),
            "--cache-dir",
            str(settings.library_cache_dir),
        ]
        return spawn(command, log_path=self.log_path)
