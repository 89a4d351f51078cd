"""Access rules: which model ids a workspace may see.

Pinned here: `is_glob` (a pattern with `*`, `?` or `[` is a glob, anything else names one id);
a rule of no patterns (`None`) allows everything, an empty rule nothing; exact ids match exactly
and case-sensitively; globs match as shell globs, case-sensitively; `AccessRule.of` is canonical
(sorted, no repeats), and rules compare and hash by their patterns.
"""

from __future__ import annotations

import fnmatch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modeldir.catalogue.access import EVERYTHING, AccessRule, is_glob


@pytest.mark.parametrize(
    ("pattern", "glob"),
    [
        ("claude-opus-4-7", False),
        ("claude-opus-*", True),
        ("claude-?", True),
        ("claude-[os]*", True),
        ("[", True),
        ("a]b", False),
        ("a-b!c", False),
        ("a/b", False),
        ("", False),
        ("*", True),
    ],
)
def test_is_glob(pattern: str, glob: bool) -> None:
    assert is_glob(pattern) is glob


def test_no_rule_allows_everything() -> None:
    rule = AccessRule.of(None)
    assert rule == EVERYTHING
    assert rule.patterns is None
    assert rule.allows_everything
    for model_id in ("claude-opus-4-7", "a/b", "*", "", "mod\u00e8le"):
        assert rule.allows(model_id)


def test_an_empty_rule_allows_nothing() -> None:
    rule = AccessRule.of([])
    assert rule.patterns == ()
    assert not rule.allows_everything
    for model_id in ("claude-opus-4-7", "a", ""):
        assert not rule.allows(model_id)


@pytest.mark.parametrize(
    ("patterns", "model_id", "allowed"),
    [
        (["claude-opus-4-7"], "claude-opus-4-7", True),
        (["claude-opus-4-7"], "claude-opus-4-7-x", False),
        (["claude-opus-4-7"], "Claude-Opus-4-7", False),
        (["claude-opus-*"], "claude-opus-4-7", True),
        (["claude-opus-*"], "claude-opus-", True),
        (["claude-opus-*"], "claude-sonnet-4-6", False),
        (["claude-opus-*"], "CLAUDE-OPUS-4-7", False),
        (["claude-opus-*"], "x-claude-opus-4", False),
        (["*-5"], "claude-haiku-4-5", True),
        (["*-5"], "claude-haiku-4-5-20251001", False),
        (["claude-?????-5*"], "claude-haiku-5", True),
        (["claude-?????-5*"], "claude-opus-5", False),
        (["claude-[os]*-4-*"], "claude-opus-4-7", True),
        (["claude-[os]*-4-*"], "claude-sonnet-4-6", True),
        (["claude-[os]*-4-*"], "claude-haiku-4-5", False),
        (["claude-[!o]*"], "claude-sonnet-4", True),
        (["claude-[!o]*"], "claude-opus-4", False),
        (["a*"], "a/b", True),
        (["a*"], "a\nb", True),
        (["a/b"], "a/b", True),
        (["c", "b*"], "c", True),
        (["c", "b*"], "bz", True),
        (["c", "b*"], "cz", False),
        (["a]"], "a]", True),
        (["a["], "a[", True),
        (["a["], "a", False),
    ],
)
def test_allows(patterns: list[str], model_id: str, allowed: bool) -> None:
    assert AccessRule.of(patterns).allows(model_id) is allowed


def test_of_is_canonical_and_rules_compare_by_patterns() -> None:
    rule = AccessRule.of(["b*", "a", "b*", "c"])
    assert rule.patterns == ("a", "b*", "c")
    assert rule == AccessRule.of(["c", "a", "b*"])
    assert hash(rule) == hash(AccessRule.of(("c", "b*", "a")))
    assert rule != AccessRule.of(["a", "b*"])
    assert rule != EVERYTHING
    assert len({rule, AccessRule.of(["c", "a", "b*"]), EVERYTHING, AccessRule(None)}) == 2


ALPHABET = "ab-*?[]!"


@settings(max_examples=200)
@given(
    patterns=st.lists(st.text(alphabet=ALPHABET, max_size=5), max_size=4),
    ids=st.lists(st.text(alphabet="ab-[]!?*", min_size=1, max_size=6), min_size=1, max_size=8),
)
def test_allows_agrees_with_fnmatchcase(patterns: list[str], ids: list[str]) -> None:
    rule = AccessRule.of(patterns)
    for model_id in ids:
        expected = any(fnmatch.fnmatchcase(model_id, pattern) for pattern in patterns)
        assert rule.allows(model_id) is expected, (patterns, model_id)


@settings(max_examples=100)
@given(
    patterns=st.lists(st.text(alphabet="abAB-/", min_size=1, max_size=4), max_size=4),
    model_id=st.text(alphabet="abAB-/", min_size=1, max_size=4),
)
def test_exact_ids_match_only_themselves(patterns: list[str], model_id: str) -> None:
    assert AccessRule.of(patterns).allows(model_id) is (model_id in patterns)
