"""The `segment_identify` destination type against a real HTTP server on 127.0.0.1, and the plug-in
contract every destination type follows (one registry, no branches on the type anywhere else).

Shape: Segment HTTP Tracking API, `POST /v1/batch` with `{"batch": [{"type": "identify", "userId": ...,
"traits": {...}}]}`, at most 2,500 calls a batch, HTTP Basic auth with the write key as user name
and an empty password: https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/
"""

from __future__ import annotations

import ast
import base64
from pathlib import Path

import duckdb
import pytest

from activation.destination_types import REGISTRY
from activation.destinations import DestinationConfigError, load_destinations
from activation.sync import sync_destination
from c360.cli import main
from privacy.forget import forget
from tests.test_activation_server import RecordingServer
from tests.test_activation_sync import FAST_RETRY, SEGMENT, build_marts, make_settings, write_config
from tests.test_privacy_forwarding import add_identity, forwarding

ROOT = Path(__file__).resolve().parents[1]
WRITE_KEY = "abc123"


def identify(server: RecordingServer, **extra) -> dict:
    return {
        "type": "segment_identify",
        "segment": SEGMENT,
        "purposes": ["analytics"],
        "url": f"{server.url}/v1/batch",
        "write_key_env": "C360_TEST_SEGMENT_WRITE_KEY",
        "retry": FAST_RETRY,
        **extra,
    }


def test_members_are_sent_as_identify_calls_with_basic_auth_and_leavers_get_the_membership_trait_false(
    tmp_path, monkeypatch
):
    settings = make_settings(tmp_path)
    build_marts(settings, range(3))
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("update marts.dim_customers set company_name = null where customer_id = 'c001'")
    monkeypatch.setenv("C360_TEST_SEGMENT_WRITE_KEY", WRITE_KEY)
    with RecordingServer() as server:
        config = write_config(
            tmp_path,
            cdp=identify(
                server,
                mode="diff",
                batch_size=2,
                fields={"email": "email", "company_name": "company"},
                membership_trait="c360_newsletter",
            ),
        )
        first = sync_destination(settings, "cdp", config_path=config)
        build_marts(settings, range(1, 3))  # c000 leaves; c001's company is back
        second = sync_destination(settings, "cdp", config_path=config)

    assert (first.added, first.batches) == (3, 2)
    assert (second.removed, second.changed, second.unchanged, second.batches) == (1, 1, 1, 1)
    assert {r.path for r in server.requests} == {"/v1/batch"}
    assert server.requests[0].headers["Authorization"] == "Basic YWJjMTIzOg=="  # the documented 'abc123:'
    assert base64.b64decode("YWJjMTIzOg==") == f"{WRITE_KEY}:".encode()
    assert [call for r in server.requests[:2] for call in r.json()["batch"]] == [
        {
            "type": "identify",
            "userId": "c000",
            "traits": {"email": "person0@example.com", "company": "Co0", "c360_newsletter": True},
        },
        {"type": "identify", "userId": "c001", "traits": {"email": "person1@example.com", "c360_newsletter": True}},
        {
            "type": "identify",
            "userId": "c002",
            "traits": {"email": "person2@example.com", "company": "Co2", "c360_newsletter": True},
        },
    ]
    assert server.requests[2].json()["batch"] == [
        {"type": "identify", "userId": "c000", "traits": {"c360_newsletter": False}},
        {
            "type": "identify",
            "userId": "c001",
            "traits": {"email": "person1@example.com", "company": "Co1", "c360_newsletter": True},
        },
    ]


def test_a_missing_write_key_fails_naming_its_variable_before_anything_is_sent(tmp_path, monkeypatch):
    settings = make_settings(tmp_path)
    build_marts(settings, range(2))
    monkeypatch.delenv("C360_TEST_SEGMENT_WRITE_KEY", raising=False)
    with RecordingServer() as server:
        config = write_config(tmp_path, cdp=identify(server))
        with pytest.raises(DestinationConfigError) as error:
            sync_destination(settings, "cdp", config_path=config)
    assert str(error.value) == (
        f"{config}: destinations.cdp.write_key_env: environment variable C360_TEST_SEGMENT_WRITE_KEY is not set"
    )
    assert server.requests == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"batch_size": 3000}, "destinations.bad.batch_size: 3000 exceeds the Segment batch limit of 2500 calls"),
        ({"write_key_env": ""}, "destinations.bad.write_key_env: required, a non-empty string"),
        ({"auth": {"env": "X"}}, "destinations.bad: unknown key(s) ['auth'] for type segment_identify"),
    ],
)
def test_invalid_segment_identify_settings_fail_naming_the_field(tmp_path, extra, message):
    with RecordingServer() as server:
        path = write_config(tmp_path, bad=identify(server, **extra))
    with pytest.raises(DestinationConfigError) as error:
        load_destinations(path)
    assert str(error.value) == f"{path}: {message}"


def test_forget_records_a_segment_destination_as_not_forwardable_with_what_to_do(tmp_path, monkeypatch):
    settings = make_settings(tmp_path)
    build_marts(settings, range(3))
    add_identity(settings)
    monkeypatch.setenv("C360_TEST_SEGMENT_WRITE_KEY", WRITE_KEY)
    with RecordingServer() as server:
        config = write_config(tmp_path, cdp=identify(server))
        sync_destination(settings, "cdp", config_path=config)
        server.requests.clear()
        forget(settings, customer_id="c001", config_path=config, now=True)
        assert server.requests == []
    method, keys, _, confirmed, error = forwarding(settings)["cdp"]
    assert (method, keys, confirmed) == ("not_forwardable", None, False)
    assert error.startswith("Segment deletes a user only through a deletion regulation")


def test_an_unknown_destination_type_is_one_line_listing_every_registered_type(tmp_path, monkeypatch, capsys):
    config = write_config(tmp_path, bad={"type": "ftp", "segment": SEGMENT, "purposes": ["analytics"]})
    monkeypatch.setenv("C360_WAREHOUSE", str(tmp_path / "wh.duckdb"))

    assert main(["sync", "bad", "--config", str(config)]) == 2

    types = ["ad_audience", "csv", "hubspot", "jsonl", "parquet", "salesforce", "segment_identify", "webhook"]
    assert list(REGISTRY) == types
    assert capsys.readouterr().err.strip() == f"c360 sync: {config}: destinations.bad.type: 'ftp' is not one of {types}"


def test_no_code_outside_the_destination_types_branches_on_a_destination_type():
    """A new type is one module in activation/destination_types: nothing else compares or looks up
    `<destination>.type`, nor names a destination type module."""
    offenders = []
    packages = [d for d in ROOT.iterdir() if (d / "__init__.py").is_file() and d.name != "tests"]
    for path in sorted(p for package in packages for p in package.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("activation/destination_types/"):
            continue
        tree = ast.parse(path.read_text(), filename=relative)
        for node in ast.walk(tree):
            compared = [node.left, *node.comparators] if isinstance(node, ast.Compare) else []
            looked_up = [node.slice] if isinstance(node, ast.Subscript) else []
            if any(isinstance(n, ast.Attribute) and n.attr == "type" for n in compared + looked_up):
                offenders.append(f"{relative}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("activation.destination_types."):
                if (node.module or "").split(".")[-1] in REGISTRY or any(
                    alias.name in REGISTRY for alias in node.names
                ):
                    offenders.append(f"{relative}:{node.lineno}")
    assert "activation" in {d.name for d in packages} and offenders == []
