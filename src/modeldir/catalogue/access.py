"""Which models a workspace may see: an allow list of exact ids and glob patterns.

The rule depends on the model id alone, never on whether the model exists. So the same rule
decides list, retrieve and cursors, and a hidden model answers exactly like a missing one.
"""

from __future__ import annotations

import fnmatch
import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

_GLOB_CHARS = frozenset("*?[")


def is_glob(pattern: str) -> bool:
    """True when the pattern uses glob syntax (`*`, `?` or `[...]`) rather than naming one id."""
    return not _GLOB_CHARS.isdisjoint(pattern)


def unclosed_set(pattern: str) -> int | None:
    """Where a `[` opens a set that is never closed, or None when every set closes.

    fnmatch would read such a `[` as a literal character, which is never what was meant.
    """
    at = 0
    while at < len(pattern):
        if pattern[at] != "[":
            at += 1
            continue
        first = at + 1
        if first < len(pattern) and pattern[first] == "!":
            first += 1
        if first < len(pattern) and pattern[first] == "]":  # `[]...]`: the `]` is in the set
            first += 1
        close = pattern.find("]", first)
        if close < 0:
            return at
        at = close + 1
    return None


@dataclass(frozen=True, slots=True, weakref_slot=True)
class AccessRule:
    """An allow list; `patterns=None` allows every model. Compare and hash by the patterns.

    Make rules with `of`: it hands out one shared rule per pattern set, so a rule's regex is
    translated and compiled once, not again for every workspace and key that uses it after
    each change (a thousand long patterns take a tenth of a second to compile).
    """

    patterns: tuple[str, ...] | None = None
    _exact: frozenset[str] = field(init=False, repr=False, compare=False, hash=False)
    _glob: re.Pattern[str] | None = field(init=False, repr=False, compare=False, hash=False)
    _hash: int = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        # Rules key the page cache on every list request: hash them once, not per lookup.
        object.__setattr__(self, "_hash", hash(self.patterns))
        patterns = self.patterns or ()
        globs = [p for p in patterns if is_glob(p)]
        object.__setattr__(self, "_exact", frozenset(p for p in patterns if not is_glob(p)))
        joined = "|".join(f"(?:{fnmatch.translate(p)})" for p in globs)
        object.__setattr__(self, "_glob", re.compile(joined) if globs else None)

    def __hash__(self) -> int:
        return self._hash

    _shared: ClassVar[weakref.WeakValueDictionary[tuple[str, ...], AccessRule]] = (
        weakref.WeakValueDictionary()
    )

    @classmethod
    def of(cls, patterns: Iterable[str] | None) -> AccessRule:
        """The rule in canonical form (sorted, without repeats), shared while anything uses it."""
        if patterns is None:
            return EVERYTHING
        canonical = tuple(sorted(set(patterns)))
        rule = cls._shared.get(canonical)
        if rule is None:
            rule = cls._shared[canonical] = cls(canonical)
        return rule

    @property
    def allows_everything(self) -> bool:
        return self.patterns is None

    def allows(self, model_id: str) -> bool:
        """Whether a workspace with this rule may see the model with this id."""
        if self.patterns is None or model_id in self._exact:
            return True
        return self._glob is not None and self._glob.match(model_id) is not None


EVERYTHING = AccessRule(None)
