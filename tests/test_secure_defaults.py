"""What monspec generates is secure unless the spec says otherwise, explicitly.

Seed 000 (moltbot) says its /metrics requires authentication: the scrape job reads the token
from a file. TLS verification is on unless `insecure_skip_verify: true` is written, and even then
monspec warns; credentials over plain http to another host and ignored TLS settings are warned.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from generator.compile import compile_specs
from tests.conftest import MINIMAL_SPEC, OUT


def _job(config_text: str) -> dict:
    """The service's own scrape job (a log agent's job may follow it)."""
    jobs = yaml.safe_load(config_text)["scrape_configs"]
    return next(j for j in jobs if not j["job_name"].endswith("-log-agent"))


def _compile(tmp_path: Path, scrape: dict) -> tuple[dict, list[str]]:
    spec = tmp_path / "s.yml"
    data = yaml.safe_load(MINIMAL_SPEC)
    data["service"]["scrape"] = scrape
    spec.write_text(json.dumps(data))
    result = compile_specs([spec])
    assert result.ok, result.diagnostics
    warnings = [f"{d.code} {d.message}" for d in result.diagnostics]
    return _job(result.files["svc/prometheus/prometheus.yml"].decode()), warnings


def test_moltbot_metrics_endpoint_is_scraped_with_its_token() -> None:
    job = _job((OUT / "moltbot" / "prometheus" / "prometheus.yml").read_text())
    assert job["authorization"] == {
        "type": "Bearer",
        "credentials_file": "/etc/prometheus/secrets/clawdbot-gateway-token",
    }
    assert "credentials" not in job["authorization"]


def test_no_generated_config_disables_verification() -> None:
    for config in OUT.glob("*/prometheus/prometheus.yml"):
        assert "insecure_skip_verify" not in config.read_text(), config


def test_tls_files_are_passed_and_verification_stays_on(tmp_path: Path) -> None:
    tls = {"ca_file": "/etc/p/ca.pem", "cert_file": "/etc/p/c.pem", "key_file": "/etc/p/c.key", "server_name": "svc"}
    job, warnings = _compile(
        tmp_path,
        {
            "targets": ["svc.internal:8443"],
            "scheme": "https",
            "authorization": {"credentials_file": "/etc/p/token"},
            "tls": {**tls, "insecure_skip_verify": False},
        },
    )
    assert job["scheme"] == "https"
    assert job["tls_config"] == tls
    assert job["authorization"] == {"type": "Bearer", "credentials_file": "/etc/p/token"}
    assert warnings == []


def test_verification_off_only_when_written_and_then_warned(tmp_path: Path) -> None:
    job, warnings = _compile(
        tmp_path, {"targets": ["svc.internal:8443"], "scheme": "https", "tls": {"insecure_skip_verify": True}}
    )
    assert job["tls_config"] == {"insecure_skip_verify": True}
    assert warnings == ["scrape/insecure certificate verification is disabled for this scrape"]


@pytest.mark.parametrize(
    ("scrape", "expected"),
    [
        (
            {"targets": ["svc.internal:8080"], "authorization": {"credentials_file": "/etc/p/token"}},
            ["scrape/insecure the scrape credentials are sent over plain http to svc.internal:8080"],
        ),
        ({"targets": ["localhost:8080"], "authorization": {"credentials_file": "/etc/p/token"}}, []),
        (
            {"targets": ["svc.internal:8080"], "tls": {"ca_file": "/etc/p/ca.pem"}},
            ["scrape/insecure `tls` is set but the scrape uses http, so Prometheus ignores it"],
        ),
    ],
    ids=["token-over-http", "token-to-localhost", "tls-ignored"],
)
def test_weakened_scrapes_are_warned(tmp_path: Path, scrape: dict, expected: list[str]) -> None:
    job, warnings = _compile(tmp_path, scrape)
    assert warnings == expected
    assert "insecure_skip_verify" not in json.dumps(job)


def test_schema_has_no_inline_credentials() -> None:
    """The only way to give scrape credentials is a file."""
    schema = json.loads((Path(__file__).parents[1] / "spec" / "monspec.schema.json").read_text())
    auth = schema["properties"]["service"]["properties"]["scrape"]["properties"]["authorization"]
    assert set(auth["properties"]) == {"type", "credentials_file"}
    assert auth["additionalProperties"] is False
