"""`.vastai-guard.yaml` settings added for `audit`: max_key_age_days."""
from __future__ import annotations

import pytest

from vastai_guard.policy.config import InvalidConfigError
from vastai_guard.policy.config import parse_config


def test_max_key_age_days_defaults_to_90() -> None:
    assert parse_config('exclude_paths: []\n', 'c.yaml').max_key_age_days == 90


def test_max_key_age_days() -> None:
    assert parse_config('max_key_age_days: 30\n', 'c.yaml').max_key_age_days == 30


@pytest.mark.parametrize('value', ('0', '-1', 'ninety', '1.5'))
def test_max_key_age_days_must_be_whole_days(value: str) -> None:
    with pytest.raises(InvalidConfigError) as error:
        parse_config(f'max_key_age_days: {value}\n', 'c.yaml')
    assert str(error.value) == 'c.yaml:1: expected a whole number of days (1 to 999999999)'
