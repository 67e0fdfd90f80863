from __future__ import annotations

import pytest

from consentkit import ConfigError, Settings
from consentkit.http import RequestInfo
from consentkit.regions import DEFAULT_REGIONS, EU_COUNTRIES, RegionResolver

from .conftest import SECRET


def resolver(**options: object) -> RegionResolver:
    return RegionResolver(Settings(secret_key=SECRET, **options))  # type: ignore[arg-type]


def request_from(country: str, region: str | None = None) -> RequestInfo:
    headers = [(b"cf-ipcountry", country.encode())]
    if region is not None:
        headers.append((b"cf-region-code", region.encode()))
    return RequestInfo("GET", "/", headers, client=("198.51.100.7", 5000))


def test_default_table_is_opt_in_for_the_eu_eea_uk_switzerland_korea_and_brazil() -> None:
    assert len(EU_COUNTRIES) == 27
    for code in (*EU_COUNTRIES, "IS", "LI", "NO", "GB", "CH", "KR", "BR"):
        assert DEFAULT_REGIONS[code] == "opt-in", code
    assert DEFAULT_REGIONS["US"] == "opt-out"


def test_unlisted_countries_and_unknown_visitors_get_the_default_regime() -> None:
    regions = resolver()
    assert regions.regime_for("JP") == "opt-in"
    assert regions.regime_for(None) == "opt-in"
    relaxed = resolver(default_regime="notice")
    assert relaxed.regime_for("JP") == "notice"
    assert relaxed.regime_for("FR") == "opt-in"  # listed places keep their regime


def test_a_us_state_falls_back_to_the_country_unless_it_has_its_own_entry() -> None:
    regions = resolver(regions={"US-VA": "notice", "jp": "opt-out"})
    assert regions.regime_for("US-CA") == "opt-out"
    assert regions.regime_for("US-VA") == "notice"
    assert regions.regime_for("JP") == "opt-out"  # keys are case-insensitive


@pytest.mark.parametrize(
    ("table", "setting"),
    [({"Germany": "opt-in"}, "regions.Germany"), ({"DE": "opt-maybe"}, "regions.DE")],
)
def test_a_bad_table_entry_fails_at_start_up_naming_it(
    table: dict[str, str], setting: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        resolver(regions=table)
    assert caught.value.setting == setting


def test_region_headers_give_the_state_only_with_a_trusted_country() -> None:
    regions = resolver(country_headers=["CF-IPCountry"], region_headers=["CF-Region-Code"])
    assert regions.resolve(request_from("US", "CA")) == ("opt-out", "US-CA")
    assert regions.resolve(request_from("us", "US-TX")) == ("opt-out", "US-TX")
    # A region code of another country, or garbage, is ignored.
    assert regions.resolve(request_from("US", "DE-BY")) == ("opt-out", "US")
    assert regions.resolve(request_from("US", "<script>")) == ("opt-out", "US")
    # Placeholder countries (unknown, Tor) are no place at all.
    assert regions.resolve(request_from("XX")) == ("opt-in", None)
    assert regions.resolve(request_from("T1")) == ("opt-in", None)


def test_a_bad_header_name_fails_at_start_up() -> None:
    with pytest.raises(ConfigError) as caught:
        resolver(region_headers=[""])
    assert caught.value.setting == "region_headers[0]"
