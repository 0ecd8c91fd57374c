"""The SRL step reward: how close the policy's call is to the expert's call.

`difflib` mode is the paper's: the `SequenceMatcher` ratio 2M/T between the canonical
texts of the two calls (the monologue is never compared), -1 for an invalid format.
`autojunk` is off by default, as in SWE-RL, because the default heuristic changes the
ratio on strings of 200+ characters. Three implementations return bit-identical ratios
(checked in the tests): `native` (this package's C port, compiled on first use, see
`native.py`), `cydifflib` (a Cython port, ~20x faster than difflib) and `difflib`
itself; `auto` takes the first one that works here.

`structured` mode (after PivotRL) first requires the same tool, and for the editor the
same command and path, then scores the call text like `difflib`; a mismatch scores 0.
`indel` mode is rapidfuzz's normalised Indel similarity: LCS-based, so a different (never
lower) score than the paper's, but ~100x cheaper on long file edits.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from swe_srl.srl import native
from swe_srl.srl.parse import canonical_call, completion_text, parse_output
from swe_srl.trajectory.actions import Action, parse_calls

try:  # identical ratios, C speed
    import cydifflib as _cydifflib
except ImportError:  # pragma: no cover - exercised where cydifflib is absent
    _cydifflib = None

INVALID = -1.0
MODES = ("difflib", "structured", "indel")
BACKENDS = ("auto", "native", "cydifflib", "difflib")


def matcher_class(backend: str = "auto") -> type:
    """The SequenceMatcher class for a backend ("auto": native, else cydifflib, else difflib)."""
    if backend == "difflib":
        return difflib.SequenceMatcher
    if backend == "cydifflib":
        if _cydifflib is None:
            raise ValueError("reward backend 'cydifflib' requested but cydifflib is not installed")
        return _cydifflib.SequenceMatcher
    if backend == "native":
        if not native.available():
            raise ValueError("reward backend 'native' requested but the C ratio could not be compiled here")
        return native.SequenceMatcher
    if backend == "auto":
        if native.available():
            return native.SequenceMatcher
        return _cydifflib.SequenceMatcher if _cydifflib is not None else difflib.SequenceMatcher
    raise ValueError(f"unknown reward backend {backend!r}; expected one of {BACKENDS}")


def text_similarity(a: str, b: str, *, autojunk: bool = False, backend: str = "auto") -> float:
    """SequenceMatcher(None, a, b).ratio() with the chosen implementation."""
    return matcher_class(backend)(None, a, b, autojunk=autojunk).ratio()


def indel_similarity(a: str, b: str) -> float:
    from rapidfuzz.distance import Indel

    return float(Indel.normalized_similarity(a, b))


@lru_cache(maxsize=65536)
def _expert(expert_action: str) -> Action | None:
    calls = parse_calls(expert_action)
    return calls.actions[0] if calls.error is None else None


def _gate(policy: Action, expert_action: str) -> bool:
    """Structured mode's preconditions: same tool; for the editor, same command and path."""
    expert = _expert(expert_action)
    if expert is None or policy.tool != expert.tool:
        return False
    if policy.tool == "str_replace_editor":
        return policy.args.get("command") == expert.args.get("command") and policy.args.get(
            "path"
        ) == expert.args.get("path")
    return True


def srl_reward(
    completion: str,
    expert_action: str,
    mode: str = "difflib",
    *,
    autojunk: bool = False,
    backend: str = "auto",
) -> float:
    """Reward of one completion against the expert's canonical action text.

    -1.0 when the completion breaks the format (see `parse.parse_output`), else a
    similarity in [0, 1] between the canonical texts of the parsed call and of
    `expert_action` (both sides canonical: an exact copy scores 1.0 in any layout).
    One item through `SRLReward.score`.
    """
    rewards, _ = SRLReward(mode, autojunk=autojunk, backend=backend).score([completion], [expert_action])
    return rewards[0]


class SRLReward:
    """TRL reward function: scores completions against the `expert_action` column.

    Plain callable as TRL expects (`prompts`, `completions`, dataset columns as keyword
    arguments). Both sides are compared in canonical form (the expert text is
    canonicalised once, cached), so an exact copy scores 1.0 whatever layout the expert
    text was stored in. Each unique expert text builds its matcher index once and each unique
    (call, expert) pair is scored once, which matters with G rollouts per prompt. It also
    reports format-failure rate, mean similarity of valid outputs and exact-match rate
    through TRL's `log_metric` hook, so they show up in train and eval logs.
    """

    __name__ = "srl_similarity"

    def __init__(self, mode: str = "difflib", *, autojunk: bool = False, backend: str = "auto"):
        if mode not in MODES:
            raise ValueError(f"unknown reward mode {mode!r}; expected one of {MODES}")
        self.mode = mode
        self.autojunk = autojunk
        self.backend = backend
        self._matcher = matcher_class(backend)

    def score(self, completions: Sequence[Any], expert_actions: Sequence[str]) -> tuple[list[float], list[bool]]:
        """Rewards and exact-match flags for aligned lists of completions and expert texts."""
        rewards: list[float] = [INVALID] * len(completions)
        exact = [False] * len(completions)
        todo: dict[str, list[tuple[int, str]]] = {}
        for i, (completion, given) in enumerate(zip(completions, expert_actions, strict=True)):
            parsed = parse_output(completion_text(completion))
            if parsed.action is None:
                continue
            expert = canonical_call(given)  # cached: once per expert text
            text = parsed.action.to_text()
            exact[i] = text == expert
            if self.mode == "structured" and not _gate(parsed.action, given):
                rewards[i] = 0.0
                continue
            todo.setdefault(expert, []).append((i, text))
        for expert, items in todo.items():
            seen: dict[str, float] = {}
            matcher = None
            for i, text in items:
                if text not in seen:
                    if text == expert and not self.autojunk:
                        seen[text] = 1.0  # what every backend returns for equal strings, without the O(n^2) scan
                    elif self.mode == "indel":
                        seen[text] = indel_similarity(text, expert)
                    else:
                        if matcher is None:
                            matcher = self._matcher(None, text, expert, autojunk=self.autojunk)
                        else:
                            matcher.set_seq1(text)  # keeps the index built for `expert`
                        seen[text] = matcher.ratio()
                rewards[i] = seen[text]
        return rewards, exact

    def __call__(
        self,
        prompts: Sequence[Any] | None = None,
        completions: Sequence[Any] | None = None,
        expert_action: Sequence[str] | None = None,
        log_metric: Callable[[str, float], None] | None = None,
        **kwargs: Any,
    ) -> list[float]:
        if completions is None or expert_action is None:
            raise ValueError("SRLReward needs `completions` and the `expert_action` dataset column")
        rewards, exact = self.score(completions, expert_action)
        if log_metric is not None and rewards:
            log_reward_metrics(rewards, exact, log_metric)
        return rewards


def log_reward_metrics(rewards: Sequence[float], exact: Sequence[bool], log_metric: Callable[[str, float], None]):
    """Format-failure rate, mean similarity of valid outputs, exact-match rate."""
    n = len(rewards)
    valid = [r for r in rewards if r != INVALID and not math.isnan(r)]
    log_metric("srl/format_failure_rate", (n - len(valid)) / n)
    log_metric("srl/exact_match_rate", sum(exact) / n)
    if valid:
        log_metric("srl/valid_similarity_mean", sum(valid) / len(valid))

