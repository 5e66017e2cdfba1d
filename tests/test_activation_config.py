"""Destination config errors name the file, the destination and the bad field; secrets come from env vars."""

from __future__ import annotations

import pytest
import yaml

from activation.destinations import (
    DESTINATIONS_FILE,
    DestinationConfigError,
    load_destinations,
)
from activation.sync import sync_destination
from tests.test_activation_sync import SEGMENT, build_marts, make_settings, write_config

SERVES = {"segment": SEGMENT, "purposes": ["analytics"]}
HOOK = {"type": "webhook", "url": "http://127.0.0.1:9/hook", **SERVES}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({**HOOK, "type": "ftp"}, "destinations.bad.type: 'ftp' is not one of"),
        ({**HOOK, "urll": "x"}, "destinations.bad: unknown key(s) ['urll'] for type webhook"),
        ({**HOOK, "url": "127.0.0.1/hook"}, "destinations.bad.url: '127.0.0.1/hook' is not an http(s) URL"),
        ({**HOOK, "segment": ""}, "destinations.bad.segment: required"),
        ({**HOOK, "mode": "incremental"}, "destinations.bad.mode: 'incremental' is not one of ['full', 'diff']"),
        ({**HOOK, "batch_size": 0}, "destinations.bad.batch_size: 0 must be an integer from 1 to 10000"),
        ({**HOOK, "auth": "Bearer abc123"}, "destinations.bad.auth: must be a mapping with 'env'"),
        ({**HOOK, "retry": {"tries": 3}}, "destinations.bad.retry.tries: unknown"),
        ({**HOOK, "purposes": None}, "destinations.bad.purposes: required: a list of the consent purposes it serves"),
        ({**HOOK, "purposes": ["email"]}, "destinations.bad.purposes: ['email'] not declared under consent:"),
        ({**HOOK, "max_removal_share": 1.5}, "destinations.bad.max_removal_share: 1.5 must be a number from 0 to 1"),
        ({"type": "csv", **SERVES, "path": "a.csv", "mode": "diff"}, "destinations.bad.mode: diff needs"),
        ({"type": "csv", **SERVES, "path": "../a.csv"}, "destinations.bad.path: '../a.csv' must stay inside"),
        (
            {"type": "hubspot", **SERVES, "base_url": "http://h", "fields": {"email": "email"}, "batch_size": 500},
            "destinations.bad.batch_size: 500 exceeds HubSpot's batch limit of 100",
        ),
        ({"type": "hubspot", **SERVES, "base_url": "http://h"}, "destinations.bad.fields: required"),
        (
            {"type": "salesforce", **SERVES, "base_url": "http://s", "fields": ["email"], "match_key": "external_id"},
            "destinations.bad.external_id_field: required with match_key external_id",
        ),
    ],
)
def test_invalid_destination_fails_naming_file_destination_and_field(tmp_path, spec, message):
    path = write_config(tmp_path, bad=spec)
    with pytest.raises(DestinationConfigError) as error:
        load_destinations(path)
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value)


def test_unknown_mapped_column_fails_before_anything_is_sent(tmp_path):
    settings = make_settings(tmp_path)
    build_marts(settings, range(3))
    config = write_config(tmp_path, hook={**HOOK, "fields": {"emial": "email"}})
    with pytest.raises(DestinationConfigError) as error:
        sync_destination(settings, "hook", config_path=config)
    assert str(error.value).startswith(f"{config}: destinations.hook.fields: unknown c360 column(s) ['emial']")


def test_missing_auth_environment_variable_is_named_and_its_value_never_read_from_yaml(tmp_path, monkeypatch):
    settings = make_settings(tmp_path)
    build_marts(settings, range(3))
    monkeypatch.delenv("C360_TEST_HOOK_TOKEN", raising=False)
    config = write_config(tmp_path, hook={**HOOK, "auth": {"env": "C360_TEST_HOOK_TOKEN"}})
    with pytest.raises(DestinationConfigError) as error:
        sync_destination(settings, "hook", config_path=config)
    expected = "destinations.hook.auth.env: environment variable C360_TEST_HOOK_TOKEN is not set"
    assert str(error.value) == f"{config}: {expected}"


def test_unknown_destination_lists_the_configured_ones(tmp_path):
    config = write_config(tmp_path, hook=HOOK)
    with pytest.raises(DestinationConfigError, match=r"no destination 'hokk'; configured: \['hook'\]"):
        sync_destination(make_settings(tmp_path), "hokk", config_path=config)


def test_a_destinations_file_without_consent_purposes_is_refused(tmp_path):
    path = tmp_path / "destinations.yml"
    path.write_text(yaml.safe_dump({"destinations": {"hook": HOOK}}))
    with pytest.raises(DestinationConfigError, match=r"consent: required, a mapping of purpose"):
        load_destinations(path)
    path.write_text(yaml.safe_dump({"consent": {"ads": {"unknown": "maybe"}}, "destinations": {"hook": HOOK}}))
    with pytest.raises(DestinationConfigError, match=r"consent.ads: must be \{unknown: grant\} or"):
        load_destinations(path)


def test_shipped_destinations_file_is_valid_and_keeps_the_sample_csv_export():
    destinations = load_destinations(DESTINATIONS_FILE)
    assert destinations["pricing_visitors_csv"].segment == "pricing_visitors_not_customers"
    assert all(d.is_file for d in destinations.values()), "the pipeline job must not need a live HTTP endpoint"
    assert "destinations" in yaml.safe_load(DESTINATIONS_FILE.read_text())
