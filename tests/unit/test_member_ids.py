"""A payer's ID rule (core/member_ids.py): what it does to IDs as payers write them, and the
properties the rest of the app relies on (idempotent, identity changes nothing, the CLI form
round-trips, the vectorised form equals the one-ID form)."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pmpm_desktop.core.member_ids import IdRule, SuffixRule
from pmpm_desktop.io.values import member_id_shortcut, parse_member_id

STRIP_DROP = IdRule(strip_punctuation=True, suffix=SuffixRule.DROP)


@pytest.mark.parametrize(
    ("rule", "written", "compared"),
    [
        # the three spellings of one person
        (STRIP_DROP, "000-123-456", "000123456"),
        (STRIP_DROP, "000123456-01", "000123456"),
        (STRIP_DROP, "000123456", "000123456"),
        (STRIP_DROP, "000-123-456-01", "000123456"),
        (STRIP_DROP, "000 123 456*02", "000123456"),
        # strip alone: the suffix stays part of the ID
        (IdRule(strip_punctuation=True), "000-123-456", "000123456"),
        (IdRule(strip_punctuation=True), "000123456-01", "00012345601"),
        (IdRule(strip_punctuation=True), "A.B/C_D E–F", "ABCDEF"),
        (IdRule(strip_punctuation=True), "---", "---"),  # nothing left: not taken
        # suffix alone
        (IdRule(suffix=SuffixRule.DROP), "000123456-01", "000123456"),
        (IdRule(suffix=SuffixRule.DROP), "000123456*01", "000123456"),
        (IdRule(suffix=SuffixRule.DROP), "000-123-456", "000-123-456"),  # 3 digits: the ID
        (IdRule(suffix=SuffixRule.DROP), "12345-01", "12345-01"),  # too short to have one
        (IdRule(suffix=SuffixRule.DROP), "ABC123-45-67", "ABC123-45-67"),  # no clear suffix
        (IdRule(suffix=SuffixRule.KEEP), "000123456*01", "000123456-01"),
        (IdRule(suffix=SuffixRule.KEEP), "000123456 - 01", "000123456-01"),
        (IdRule(suffix=SuffixRule.KEEP), "000123456", "000123456"),
        (IdRule(strip_punctuation=True, suffix=SuffixRule.KEEP), "000-123-456*01", "000123456-01"),
        # prefix
        (IdRule(prefix="xyz"), "XYZ123456", "123456"),
        (IdRule(prefix="XYZ"), "XYZ-123456", "123456"),
        (IdRule(prefix="XYZ"), "123456", "123456"),
        (IdRule(prefix="XYZ"), "XYZ", "XYZ"),  # only the prefix: kept
        (IdRule(prefix="XYZ"), "XYZXYZ1", "1"),
        (IdRule(prefix="XYZ", strip_punctuation=True), "X-YZ 123", "123"),
        (IdRule(prefix="XYZ", suffix=SuffixRule.DROP), "XYZ000123456-01", "000123456"),
        # the identity
        (IdRule(), "000-123-456-01", "000-123-456-01"),
    ],
)
def test_rule_examples(rule: IdRule, written: str, compared: str) -> None:
    assert rule.apply(written) == compared
    assert rule.apply_series(pl.Series([written])).to_list() == [compared]


def test_parse_member_id_applies_the_rule_before_the_width() -> None:
    assert parse_member_id(" 123-456 ", 9, IdRule(strip_punctuation=True)) == "000123456"
    assert parse_member_id("123456-01", 9, STRIP_DROP) == "000123456"
    assert parse_member_id("123456-01", 9) == "123456-01"


# --- the command-line form and the stored form ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("none", IdRule()),
        ("", IdRule()),
        ("strip", IdRule(strip_punctuation=True)),
        ("STRIP, Suffix = Drop", STRIP_DROP),
        ("suffix=keep", IdRule(suffix=SuffixRule.KEEP)),
        ("suffix=as-written", IdRule()),
        ("prefix=mcd", IdRule(prefix="MCD")),
        ("strip,suffix=drop,prefix=XY", IdRule(True, SuffixRule.DROP, "XY")),
    ],
)
def test_parse_reads_the_cli_form(text: str, rule: IdRule) -> None:
    assert IdRule.parse(text) == rule


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("strp", "unknown ID rule part 'strp'"),
        ("suffix=maybe", "unknown suffix rule 'maybe'"),
        ("suffix", "unknown ID rule part 'suffix'"),
        ("prefix=", "prefix= needs the prefix"),
        ("prefix=AB-C", "1 to 10 letters or digits, not 'AB-C'"),
        ("prefix=ABCDEFGHIJK", "1 to 10 letters or digits"),
        ("suffix=keep,suffix=drop", "gives suffix twice"),
        ("strip=yes", "unknown ID rule part 'strip=yes'"),
    ],
)
def test_parse_refuses_in_words(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        IdRule.parse(text)


def test_describe_and_json() -> None:
    assert IdRule().describe() == "IDs are compared as written"
    assert STRIP_DROP.describe() == (
        "Dashes and spaces are ignored; a dependent suffix such as -01 is dropped"
    )
    assert STRIP_DROP.when() == (
        "when dashes and spaces are ignored and a dependent suffix such as -01 is dropped"
    )
    assert IdRule().to_json() is None
    assert IdRule.from_json(None) == IdRule()
    for rule in (STRIP_DROP, IdRule(prefix="XY"), IdRule(suffix=SuffixRule.KEEP)):
        assert IdRule.from_json(rule.to_json()) == rule


rules = st.builds(
    IdRule,
    st.booleans(),
    st.sampled_from(SuffixRule),
    st.one_of(st.just(""), st.from_regex(r"[A-Z0-9]{1,4}", fullmatch=True)),
)


@given(rules)
def test_the_cli_form_reads_back_as_the_same_rule(rule: IdRule) -> None:
    assert IdRule.parse(str(rule)) == rule
    assert IdRule.from_json(rule.to_json()) == rule


# --- properties ------------------------------------------------------------------------------

# IDs as payers write them: digits, a few letters, every punctuation the rule knows, and
# anything else now and then.
id_text = st.one_of(
    st.text(st.sampled_from("0123456789ABXYZ -./*_\t\u00a0\u2013"), max_size=16),
    st.from_regex(r"(XY|AB)?[0-9]{3}[- ]?[0-9]{3}[- ]?[0-9]{3}([-*][0-9]{2})?", fullmatch=True),
    st.text(max_size=12),
)


@given(rules, id_text)
@example(IdRule(prefix="XYZ", strip_punctuation=True), "-XYZ1")
@example(IdRule(suffix=SuffixRule.KEEP, strip_punctuation=True), "12-3-4-01")
@example(IdRule(suffix=SuffixRule.DROP), "ABC123-45-67")
def test_apply_is_idempotent(rule: IdRule, text: str) -> None:
    once = rule.apply(text)
    assert rule.apply(once) == once


@given(id_text)
def test_the_identity_rule_changes_nothing(text: str) -> None:
    assert IdRule().apply(text) == text


@given(rules, st.lists(id_text, max_size=20))
def test_the_column_form_equals_the_one_id_form(rule: IdRule, values: list[str]) -> None:
    column = pl.Series("id", values, dtype=pl.Utf8)
    assert rule.apply_series(column).to_list() == [rule.apply(v) for v in values]


@given(rules, id_text, st.none() | st.integers(1, 12))
def test_parse_member_id_is_idempotent_under_a_rule(
    rule: IdRule, text: str, width: int | None
) -> None:
    """A stored ID read again under the same rule stays what it is (rule changes rely on it)."""
    try:
        once = parse_member_id(text, width, rule)
    except ValueError:
        return
    if once is not None:
        assert parse_member_id(once, width, rule) == once


@given(rules, st.lists(id_text, max_size=20), st.none() | st.integers(1, 12))
def test_member_id_shortcut_agrees_under_a_rule(
    rule: IdRule, values: list[str], width: int | None
) -> None:
    fast = member_id_shortcut(pl.Series("id", values, dtype=pl.String), width, rule).to_list()
    for value, got in zip(values, fast, strict=True):
        if got is not None:
            assert got == parse_member_id(value, width, rule)


@given(rules, st.lists(id_text, max_size=20))
def test_an_id_the_filter_passes_over_is_left_as_it_is(rule: IdRule, values: list[str]) -> None:
    column = pl.Series("id", values, dtype=pl.Utf8)
    touched = pl.select(rule.touches(pl.lit(column))).to_series().to_list()
    for value, may_change in zip(values, touched, strict=True):
        if not may_change:
            assert rule.apply(value) == value
