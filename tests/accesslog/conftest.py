"""Shared helpers of the access-log tests: a logger that collects lines, settings, and
real MMDB files built with mmdb-writer (no network)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from consentkit.accesslog import AccessLog
from consentkit.http import RequestInfo
from consentkit.settings import Settings

SECRET = "access-log-test-secret"
CHROME = (b"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
          b"(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36")


class LineCollector(logging.Handler):
    """Keeps every message logged to it."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    @property
    def objects(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]


def collecting_logger() -> tuple[logging.Logger, LineCollector]:
    """A logger of its own (not in the logging registry) and the lines it receives."""
    logger = logging.Logger("access-test")
    collector = LineCollector()
    logger.addHandler(collector)
    return logger, collector


def settings_for(**options: Any) -> Settings:
    return Settings(secret_key=SECRET, **options)


def request(
    path: str = "/",
    headers: list[tuple[bytes, bytes]] | None = None,
    client: tuple[str, int] | None = ("198.51.100.23", 50000),
    query_string: bytes = b"",
    method: str = "GET",
) -> RequestInfo:
    return RequestInfo(method, path, headers if headers is not None else [], query_string,
                       client)


def lines_for(requests: list[RequestInfo], **options: Any) -> list[str]:
    """Log each request (status 200, 10 bytes, 5 ms) and return the written lines."""
    logger, collector = collecting_logger()
    log = AccessLog(settings_for(access_log=logger, **options))
    try:
        for item in requests:
            log.record(item, None, 200, 10, 0.005)
    finally:
        log.close()
    return collector.lines


def build_mmdb(path: Path, database_type: str, networks: dict[str, dict[str, Any]]) -> Path:
    writer = MMDBWriter(ip_version=6, database_type=database_type, ipv4_compatible=True)
    for cidr, record in networks.items():
        writer.insert_network(IPSet([cidr]), record)
    writer.to_db_file(str(path))
    return path


@pytest.fixture(scope="session")
def country_mmdb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A GeoLite2-Country style database: 203.0.113.0/24 in Germany, 198.51.100.0/24 in
    France, 2001:db8:1::/48 in Japan."""
    directory = tmp_path_factory.mktemp("geo")
    return build_mmdb(directory / "country.mmdb", "GeoLite2-Country", {
        "203.0.113.0/24": {"country": {"iso_code": "DE"}},
        "198.51.100.0/24": {"country": {"iso_code": "FR"}},
        "2001:db8:1::/48": {"country": {"iso_code": "JP"}},
    })


@pytest.fixture(scope="session")
def city_mmdb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A GeoLite2-City style database: 192.0.2.0/24 in California."""
    directory = tmp_path_factory.mktemp("geo-city")
    return build_mmdb(directory / "city.mmdb", "GeoLite2-City", {
        "192.0.2.0/24": {"country": {"iso_code": "US"},
                         "subdivisions": [{"iso_code": "CA"}]},
    })


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, LineCollector]]:
    yield collecting_logger()
