"""Settings: defaults point at the embedded stack, bad values name the variable and the expected
form (secrets and URL passwords hidden), production demands its endpoints, and .env.example lists
every variable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adology.ai.config import BedrockConfig, LocalConfig, OpenAIConfig
from adology.errors import SettingsError, StackError
from adology.settings import Environment, Settings, load_settings
from adology.stack import Stack
from resources import resources_for

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_point_at_the_embedded_stack(tmp_path: Path) -> None:
    settings = load_settings({"ADOLOGY_STATE_DIR": str(tmp_path)})
    assert settings.environment is Environment.LOCAL
    assert settings.database_url == "postgresql://adology:adology-local@127.0.0.1:54329/adology"
    assert settings.dagster_postgres_url.startswith("postgresql+psycopg2://")
    assert settings.mongo_uri == f"montydb://{tmp_path}/mongo"
    assert settings.s3_endpoint_url == "http://127.0.0.1:8333"
    assert settings.sqs_endpoint_url == "http://127.0.0.1:9324"
    assert settings.dagster_home == tmp_path / "dagster"


def test_ports_flow_into_every_derived_endpoint() -> None:
    settings = load_settings({"ADOLOGY_PG_PORT": "40001", "ADOLOGY_S3_PORT": "40100", "ADOLOGY_SQS_PORT": "40200"})
    assert ":40001/adology" in settings.database_url
    assert ":40001/dagster" in settings.dagster_postgres_url
    assert settings.s3_endpoint_url.endswith(":40100")
    assert settings.sqs_endpoint_url.endswith(":40200")


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("ADOLOGY_PG_PORT", "abc", "ADOLOGY_PG_PORT='abc': expected TCP port"),
        ("ADOLOGY_S3_PORT", "99999", "ADOLOGY_S3_PORT='99999': expected S3 port"),
        ("ADOLOGY_ENV", "prod", "ADOLOGY_ENV='prod': expected 'local' (embedded stack) or 'production'"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL='mysql://x': expected libpq URI"),
        ("MONGO_URI", "http://x", "MONGO_URI='http://x': expected mongodb://"),
        ("ADOLOGY_LOG_FORMAT", "xml", "ADOLOGY_LOG_FORMAT='xml': expected 'text' or 'json'"),
        ("ADOLOGY_S3_BUCKET", "Bad_Bucket", "ADOLOGY_S3_BUCKET='Bad_Bucket': expected S3 bucket"),
        (
            "ADOLOGY_OPENAI_EMBEDDING_DIMENSIONS",
            "1024",
            "ADOLOGY_OPENAI_EMBEDDING_DIMENSIONS='1024': expected 512 or 1536",
        ),
    ],
)
def test_malformed_setting_names_variable_and_expected_form(variable: str, value: str, expected: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({variable: value})
    assert expected in str(error.value)


def test_every_bad_variable_is_reported_at_once() -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({"ADOLOGY_PG_PORT": "x", "ADOLOGY_SQS_PORT": "y"})
    assert "ADOLOGY_PG_PORT" in str(error.value) and "ADOLOGY_SQS_PORT" in str(error.value)


def test_secret_values_never_appear_in_errors() -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({"ADOLOGY_PG_PASSWORD": ["not", "a", "string"]})  # type: ignore[dict-item]
    assert "<hidden>" in str(error.value)
    assert "not" not in str(error.value).split("expected")[0].split("=", 1)[1]


@pytest.mark.parametrize(
    ("variable", "value", "shown"),
    [
        ("DATABASE_URL", "mysql://adology:hunter2@db.internal/adology", "mysql://adology:***@db.internal/adology"),
        ("DAGSTER_POSTGRES_URL", "pg://dagster:p@ss word@db/dagster", "pg://dagster:***@db/dagster"),
        ("MONGO_URI", "http://reader:s3cr3t@mongo.internal:27017", "http://reader:***@mongo.internal:27017"),
    ],
)
def test_a_malformed_url_setting_is_shown_without_its_password(variable: str, value: str, shown: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({variable: value})
    message = str(error.value)
    assert f"{variable}='{shown}'" in message
    password = value.split("://", 1)[1].split(":", 1)[1].rsplit("@", 1)[0]
    assert password not in message


def test_production_requires_its_endpoints_and_sets_no_local_defaults() -> None:
    with pytest.raises(SettingsError, match="DATABASE_URL, DAGSTER_POSTGRES_URL, MONGO_URI"):
        load_settings({"ADOLOGY_ENV": "production"})
    settings = load_settings(
        {
            "ADOLOGY_ENV": "production",
            "DATABASE_URL": "postgresql://u:p@db.internal:5432/adology",
            "DAGSTER_POSTGRES_URL": "postgresql+psycopg2://u:p@db.internal:5432/dagster",
            "MONGO_URI": "mongodb://u:p@mongo.internal:27017",
        }
    )
    assert settings.s3_endpoint_url is None and settings.sqs_endpoint_url is None
    assert settings.aws_access_key_id is None and settings.aws_secret_access_key is None
    assert "AWS_SECRET_ACCESS_KEY" not in settings.client_environment()


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), flags=re.M))
    declared = {field.alias for field in Settings.model_fields.values()}
    assert listed == declared


def test_env_example_values_are_valid_settings() -> None:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]+)=(\S+)", line)
        if match:
            values[match[1]] = match[2]
    values["MONGO_URI"] = "montydb:///tmp/adology-example"
    load_settings(values)


def test_embedded_stack_refuses_production_settings() -> None:
    production = load_settings(
        {
            "ADOLOGY_ENV": "production",
            "DATABASE_URL": "postgresql://u:p@db:5432/a",
            "DAGSTER_POSTGRES_URL": "postgresql://u:p@db:5432/d",
            "MONGO_URI": "mongodb://m:27017",
        }
    )
    with pytest.raises(StackError, match="ADOLOGY_ENV=local"):
        Stack(production)


def test_every_field_of_each_provider_config_is_settable_from_the_environment() -> None:
    """One typed config per AI provider, and no field dropped between the environment, the settings,
    the Dagster resource and the harness (all of them read ``Settings.ai_provider_config``)."""
    settings = load_settings(
        {
            "ADOLOGY_AI_PROVIDER": "bedrock",
            "ADOLOGY_BEDROCK_REGION": "eu-west-3",
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": "http://127.0.0.1:9001",
            "ADOLOGY_BEDROCK_CONCURRENCY": "3",
            "ADOLOGY_BEDROCK_CHAT_MODEL": "chat-model",
            "ADOLOGY_BEDROCK_EMBEDDING_MODEL": "text-embedding-model",
            "ADOLOGY_BEDROCK_EMBEDDING_DIMENSIONS": "256",
            "ADOLOGY_BEDROCK_IMAGE_EMBEDDING_MODEL": "image-embedding-model",
            "ADOLOGY_BEDROCK_IMAGE_EMBEDDING_DIMENSIONS": "384",
            "OPENAI_API_KEY": "sk-from-the-environment",
            "OPENAI_BASE_URL": "http://127.0.0.1:9002/v1",
            "ADOLOGY_OPENAI_CHAT_MODEL": "gpt-other",
            "ADOLOGY_OPENAI_EMBEDDING_MODEL": "embedding-other",
            "ADOLOGY_OPENAI_EMBEDDING_DIMENSIONS": "1536",
            "ADOLOGY_OPENAI_TIMEOUT_SECONDS": "7",
        }
    )
    bedrock, openai = settings.ai_provider_config(), settings.ai_provider_config("openai")
    assert isinstance(bedrock, BedrockConfig) and isinstance(openai, OpenAIConfig)
    for config in (bedrock, openai):
        defaults = type(config)()
        assert [name for name in type(config).model_fields if getattr(config, name) == getattr(defaults, name)] == []
    assert (bedrock.region, bedrock.endpoint_url, bedrock.image_embedding_dimensions) == (
        "eu-west-3",
        "http://127.0.0.1:9001",
        384,
    )
    assert isinstance(load_settings({}).ai_provider_config(), LocalConfig)

    resource = resources_for(settings)["ai"]
    assert resource.provider_config().model_dump() == bedrock.model_dump()
    assert resource.openai.model_dump(exclude={"api_key"}) == openai.model_dump(exclude={"api_key"})
    assert resource.openai.api_key == "OPENAI_API_KEY"  # an EnvVar: read at run time, never shown
