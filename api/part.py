"""The API server as a part of the embedded stack (entry point ``adology.stack_parts``): ``adology
stack up`` and ``make demo`` start it beside the stores, ``adology stack down`` stops it."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

import httpx

from adology.stack.parts import Part
from adology.stack.process import PidFile, spawn


@dataclass
class ApiPart(Part):
    name: str = field(init=False, default="api")
    port_setting: str = field(init=False, default="ADOLOGY_API_PORT")

    @property
    def pid_file(self) -> PidFile:
        return PidFile(self.state / "run" / "api.pid", marker="adology api")

    @property
    def ports(self) -> list[int]:
        return [self.settings.api_port]

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.settings.api_port}"

    def probe(self) -> str:
        response = httpx.get(f"{self.endpoint}/healthz", timeout=5)
        response.raise_for_status()
        return "API server"

    def _start(self) -> int:
        # the server reads the stack's settings as every Adology process does, from its environment
        environment = {**os.environ, **self.settings.client_environment()}
        command = [sys.executable, "-m", "adology", "api", "--port", str(self.settings.api_port)]
        return spawn(command, log_path=self.log_path, env=environment)
