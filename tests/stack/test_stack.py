"""The embedded stack: lifecycle, idempotent `up`, persistence across down + up, stale pid files,
ports in use, S3's refusal of unsigned or wrongly signed requests, and what `down` does about a
supervisor and the process groups it recorded (one supervisor per state dir)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import psutil
import psycopg
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from adology.errors import PortInUseError, StackError
from adology.settings import Settings
from adology.stack import Stack
from adology.stack.parts import SqsPart
from adology.stack.postgres import APP_ROLE, PostgresPart
from adology.stack.process import StartedProcess, wait_ended
from adology.stack.seaweed import SeaweedPart
from adology.stack.supervisor import Supervisor
from adology.storage.mongo import COLLECTIONS, ensure_collections, open_mongo


@pytest.fixture
def own_stack(make_settings: Callable[..., Settings]) -> Iterator[Stack]:
    stack = Stack(make_settings("lifecycle"))
    try:
        yield stack
    finally:
        stack.down()


def _s3(settings: Settings, **overrides: object) -> object:
    arguments = {
        "endpoint_url": settings.s3_endpoint_url,
        "region_name": settings.aws_region,
        "aws_access_key_id": settings.aws_access_key_id,
        "aws_secret_access_key": settings.aws_secret_access_key.get_secret_value(),
        **overrides,
    }
    return boto3.client("s3", **arguments)


def test_lifecycle_idempotent_up_and_persistence_across_restart(own_stack: Stack) -> None:
    settings = own_stack.settings
    first = own_stack.up()
    assert first.started == ["postgres", "s3", "sqs", "api", "library"]
    assert first.migrations  # a fresh database gets the whole schema
    assert own_stack.healthy()
    pids = {name: status.pid for name, status in own_stack.status().items()}

    second = own_stack.up()
    assert second.started == [] and second.migrations == []
    assert second.already_running == ["postgres", "s3", "sqs", "api", "library"]
    assert {name: status.pid for name, status in own_stack.status().items()} == pids

    _s3(settings).put_object(Bucket=settings.s3_bucket, Key="media/kept.txt", Body=b"still here")
    with psycopg.connect(settings.database_url) as conn:
        conn.execute("INSERT INTO organizations (name) VALUES ('Persisted Org')")
    with open_mongo(settings.mongo_uri, settings.mongo_database) as database:
        database.raw_ads.insert_one({"source": "meta", "payload": {"id": "kept"}})

    assert own_stack.down() == ["library", "api", "sqs", "s3", "postgres"]
    statuses = own_stack.status()
    assert not any(statuses[name].running for name in ("postgres", "s3", "sqs", "api", "library"))
    assert own_stack.down() == []  # nothing left to stop

    assert own_stack.up().started == ["postgres", "s3", "sqs", "api", "library"]
    body = _s3(settings).get_object(Bucket=settings.s3_bucket, Key="media/kept.txt")["Body"].read()
    assert body == b"still here"
    with psycopg.connect(settings.database_url) as conn:
        assert conn.execute("SELECT count(*) FROM organizations WHERE name = 'Persisted Org'").fetchone() == (1,)
    with open_mongo(settings.mongo_uri, settings.mongo_database) as database:
        assert database.raw_ads.find_one({"payload.id": "kept"})["source"] == "meta"


def test_up_creates_the_document_collections_before_any_process_writes(
    stack_settings: Settings, tmp_path: Path
) -> None:
    """montydb creates a collection on first write, but two processes doing that at once can see
    the other's empty sqlite file and fail with "no such table": the stack creates them up front."""
    with open_mongo(stack_settings.mongo_uri or "", stack_settings.mongo_database) as database:
        assert set(COLLECTIONS) <= set(database.list_collection_names())
        assert ensure_collections(database) == []
    with open_mongo(f"montydb://{tmp_path / 'fresh'}", "adology") as fresh:
        assert ensure_collections(fresh) == list(COLLECTIONS)
        assert set(fresh.list_collection_names()) == set(COLLECTIONS)


def test_every_server_listens_on_loopback_only(stack_settings: Settings) -> None:
    import psutil

    stack = Stack(stack_settings)
    servers = {status.pid for status in stack.status().values() if status.pid}
    pids = set(servers)
    for pid in servers:  # postgres and weed listen from their own children too
        pids |= {child.pid for child in psutil.Process(pid).children(recursive=True)}
    listening = [c for c in psutil.net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN and c.pid in pids]
    assert listening
    assert {c.laddr.ip for c in listening} == {"127.0.0.1"}, listening


def test_postgres_logins_need_the_password_and_cost_one_scram_iteration(stack_settings: Settings) -> None:
    """Dagster logs in once per event it stores: a login must not pay 4,096 PBKDF2 rounds, and must
    still check the password."""
    assert stack_settings.database_url
    with PostgresPart(stack_settings).superuser_connection() as conn:  # only a superuser reads pg_authid
        verifier = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (APP_ROLE,)).fetchone()[0]
    assert verifier.startswith("SCRAM-SHA-256$1:")
    wrong = stack_settings.database_url.replace(stack_settings.postgres_password.get_secret_value(), "not-it")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(wrong).close()


def test_s3_refuses_unsigned_and_wrongly_signed_requests(stack_settings: Settings) -> None:
    key = "media/secret.bin"
    _s3(stack_settings).put_object(Bucket=stack_settings.s3_bucket, Key=key, Body=b"x")
    unsigned = _s3(
        stack_settings, config=Config(signature_version=UNSIGNED), aws_access_key_id=None, aws_secret_access_key=None
    )
    with pytest.raises(ClientError) as refused:
        unsigned.get_object(Bucket=stack_settings.s3_bucket, Key=key)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    wrong = _s3(stack_settings, aws_secret_access_key="not-the-secret")
    with pytest.raises(ClientError) as mismatched:
        wrong.get_object(Bucket=stack_settings.s3_bucket, Key=key)
    assert mismatched.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_s3_is_unhealthy_while_the_master_has_not_registered_a_volume_on_disk(stack_settings: Settings) -> None:
    # after a restart reads fail until the master knows every volume the volume server loads;
    # a volume file the running servers never loaded stands in for one not registered yet
    part = SeaweedPart(stack_settings)
    assert part.status().healthy
    unregistered = stack_settings.state_dir / "s3" / "data" / "adology_987.dat"
    not_a_volume = stack_settings.state_dir / "s3" / "data" / "notes.dat"  # no id in its name: ignored
    unregistered.touch()
    not_a_volume.touch()
    try:
        status = part.status()
        assert not status.healthy
        assert "has not registered volume(s) [987]" in status.detail
        unregistered.unlink()
        assert part.status().healthy
    finally:
        unregistered.unlink(missing_ok=True)
        not_a_volume.unlink()


def test_stale_pid_file_is_detected_and_cleaned(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings("stale")
    part = SqsPart(settings)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    part.pid_file.write(dead.pid)  # what a killed stack leaves behind
    status = part.status()
    assert not status.running and not status.healthy
    assert not part.pid_file.path.exists()


def test_pid_of_an_unrelated_process_is_not_mistaken_for_ours(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings("foreign")
    part = SqsPart(settings)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        part.pid_file.write(sleeper.pid)  # the pid was reused by something else after a reboot
        assert part.pid_file.live_pid() is None
        assert not part.pid_file.path.exists()
        assert sleeper.poll() is None  # and we did not kill it
    finally:
        sleeper.kill()


def test_port_in_use_names_the_port_and_the_part(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings("busy")
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", settings.sqs_port))
        squatter.listen()
        with pytest.raises(PortInUseError) as error:
            SqsPart(settings).start()
    message = str(error.value)
    assert f"port {settings.sqs_port}" in message and "sqs" in message and "ADOLOGY_SQS_PORT" in message


def test_down_stops_what_a_supervisor_killed_with_sigkill_left_running(make_settings: Callable[..., Settings]) -> None:
    stack = Stack(make_settings("orphans"))
    # a service's group: its leader dies, a child it started lives on (a code server after its daemon)
    service = subprocess.Popen(
        ["bash", "-c", "sleep 300 & echo $!; exec sleep 301"], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    assert service.stdout is not None
    child = psutil.Process(int(service.stdout.readline()))
    leader = StartedProcess.of(service.pid)
    assert leader is not None
    stack.service_record("dagster-daemon").write(leader)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stack.supervisor_record.write(StartedProcess(gone.pid, 0.0))  # the supervisor itself, killed
    try:
        service.kill()
        service.wait()
        assert child.is_running()

        assert stack.down() == ["dagster-daemon"]

        assert wait_ended([child], timeout=10) == []
        assert stack.service_records() == [] and not stack.supervisor_record.path.exists()
    finally:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()


def test_a_second_supervisor_on_the_same_state_dir_is_refused(make_settings: Callable[..., Settings]) -> None:
    stack = Stack(make_settings("two-supervisors"))
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        started = StartedProcess.of(other.pid)
        assert started is not None
        stack.supervisor_record.write(started)
        with pytest.raises(StackError, match=f"another supervisor \\(pid {other.pid}\\)"), Supervisor(stack, []):
            pass
        assert stack.supervisor_record.read() == started  # the running one keeps its record
    finally:
        other.kill()
