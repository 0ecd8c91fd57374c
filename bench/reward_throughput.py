"""Reward throughput: score a batch of 4096 completions of realistic SWE actions.

Expert actions are real SWE-smith calls when the shared samples are present (their
lengths: median ~145, p90 ~1.9k, p99 ~7.4k characters), else synthetic calls drawn to the
same length profile. Each of 512 prompts gets 8 policy outputs, as one GRPO batch of the
paper's recipe would: exact copies, near misses (edited arguments, a few changed lines in
a file), another step's action, and invalid outputs. The scoring runs pinned to one CPU
core, once per backend (native C port, cydifflib, difflib, rapidfuzz Indel), and checks
that the fast backends return exactly difflib's rewards.

    python bench/reward_throughput.py                    # all backends (difflib takes minutes)
    python bench/reward_throughput.py --backends native cydifflib

Human-readable lines, then one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from swe_srl.srl import native  # noqa: E402
from swe_srl.srl.reward import SRLReward, srl_reward  # noqa: E402
from swe_srl.trajectory.actions import Action, parse_calls  # noqa: E402

SHARED_SAMPLES = [
    ROOT.parent / "shared/real-trajectories/SWE-smith_5kTrajectories/sample_raw.json",
    ROOT.parent / "shared/real-trajectories/swe-smith/sample_raw.json",
]


def real_actions() -> list[str]:
    actions = []
    for path in SHARED_SAMPLES:
        if not path.is_file():
            continue
        for record in json.loads(path.read_text(encoding="utf-8")):
            for message in record.get("messages", []):
                if message.get("role") == "assistant" and isinstance(message.get("content"), str):
                    calls = parse_calls(message["content"])
                    if calls.error is None:
                        actions.append(calls.actions[0].to_text())
    return actions


def synthetic_actions(rng: random.Random, n: int = 300) -> list[str]:
    """Calls with SWE-smith's length profile: mostly short commands, some long file edits."""
    words = ["def", "return", "self", "value", "config", "parse", "if", "for", "in", "None", "raise", "import"]

    def code(lines: int) -> str:
        return "\n".join(
            "    " * rng.randint(0, 3) + " ".join(rng.choice(words) for _ in range(rng.randint(2, 9)))
            for _ in range(lines)
        )

    out = []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.55:
            out.append(Action.make("bash", {"command": f"grep -rn '{rng.choice(words)}' /testbed/src | head -{rng.randint(5, 50)}"}))
        elif kind < 0.8:
            out.append(Action.make("str_replace_editor", {"command": "view", "path": f"/testbed/src/m{rng.randint(0, 99)}.py"}))
        elif kind < 0.95:
            out.append(Action.make("str_replace_editor", {"command": "str_replace", "path": "/testbed/src/a.py",
                                                           "old_str": code(rng.randint(2, 30)), "new_str": code(rng.randint(2, 30))}))
        else:
            out.append(Action.make("str_replace_editor", {"command": "create", "path": "/testbed/reproduce.py",
                                                           "file_text": code(rng.randint(60, 250))}))
    return [a.to_text() for a in out]


def near_miss(text: str, rng: random.Random) -> str:
    """The expert's call with one argument edited the way a policy misses: a few lines of a
    long value changed, or a flag/path fragment inserted into a short one."""
    action = parse_calls(text).actions[0]
    if not action.args:
        return Action.make("bash", {"command": "git diff"}).to_text()
    key = rng.choice(sorted(action.args))
    value = action.args[key]
    lines = value.split("\n")
    if len(lines) > 8:
        for _ in range(max(1, len(lines) // 20)):
            i = rng.randrange(len(lines))
            lines[i] = lines[i][: len(lines[i]) // 2] + "  # changed" if rng.random() < 0.7 else ""
        value = "\n".join(lines)
    else:
        cut = rng.randrange(len(value) + 1)
        value = value[:cut] + rng.choice([" -n", "/src", "_v2", " | head", "x"]) + value[cut:]
    if key == "command" and action.tool == "str_replace_editor":
        value = action.args[key]  # keep the editor command valid
    return Action.make(action.tool, {**action.args, key: value}).to_text()


def build_batch(actions: list[str], prompts: int, group: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    completions, experts = [], []
    for _ in range(prompts):
        expert = rng.choice(actions)
        for _ in range(group):
            r = rng.random()
            if r < 0.25:
                action = expert
            elif r < 0.65:
                action = near_miss(expert, rng)
            elif r < 0.9:
                action = rng.choice(actions)
            else:
                completions.append(expert)  # no think block: invalid format
                experts.append(expert)
                continue
            completions.append(f"<think>\nNext I look at the failing code path.\n</think>\n{action}")
            experts.append(expert)
    return completions, experts


def pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to CPU core {core}"
    return "not pinned (no sched_setaffinity)"


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=512)
    parser.add_argument("--group", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backends", nargs="+", default=["native", "cydifflib", "difflib", "indel"],
                        choices=["native", "cydifflib", "difflib", "indel"])
    args = parser.parse_args()

    pinned = pin_one_core()
    actions = real_actions()
    source = "SWE-smith expert actions (shared samples)" if actions else "synthetic actions"
    if not actions:
        actions = synthetic_actions(random.Random(args.seed))
    completions, experts = build_batch(actions, args.prompts, args.group, args.seed)
    n = len(completions)
    lengths = sorted(len(a) for a in actions)
    q = lambda p: lengths[min(len(lengths) - 1, int(p * len(lengths)))]  # noqa: E731
    print(f"{source}: {len(actions)} actions, length median {q(0.5)}, p90 {q(0.9)}, p99 {q(0.99)}, max {lengths[-1]}")
    print(f"batch: {n} completions ({args.prompts} prompts x {args.group}), {pinned}")

    figures: dict[str, object] = {"completions": n, "source": source, "expert_len_median": q(0.5),
                                  "expert_len_p90": q(0.9), "expert_len_p99": q(0.99)}
    results = {}
    for backend in args.backends:
        if backend == "native" and not native.available():
            print("native: no C compiler here, skipped")
            continue
        fn = SRLReward("indel") if backend == "indel" else SRLReward("difflib", backend=backend)
        seconds, rewards = timed(lambda: fn(completions=completions, expert_action=experts))
        results[backend] = rewards
        figures[f"batch_{n}_s_{backend}"] = round(seconds, 4)
        print(f"{backend:>9}: {seconds:8.3f} s for the batch, {n / seconds:10.0f} rewards/s")
    if "cydifflib" in results:
        # the batched callable reuses one matcher per expert and scores each distinct call once;
        # also time the plain per-pair function so that saving is visible
        seconds, _ = timed(lambda: [srl_reward(c, e, backend="cydifflib") for c, e in zip(completions, experts)])
        figures[f"batch_{n}_s_cydifflib_per_pair"] = round(seconds, 4)
        print(f"cydifflib per pair (no reuse): {seconds:.3f} s")
    for backend in ("native", "cydifflib"):
        if backend in results and "difflib" in results:
            identical = results[backend] == results["difflib"]
            figures[f"{backend}_identical_to_difflib"] = identical
            print(f"{backend} rewards identical to difflib on all {n}: {identical}")
    valid = [r for r in next(iter(results.values())) if r >= 0]
    print(f"invalid format: {1 - len(valid) / n:.1%}, mean similarity of valid: {statistics.mean(valid):.3f}")

    # the reward's default ("auto") is the first of these that works on this machine
    default = next((b for b in ("native", "cydifflib", "difflib") if b in results), args.backends[0])
    batch_s = figures[f"batch_{n}_s_{default}"]
    figures.update({
        "backend": default,
        f"batch_{n}_s" if n != 4096 else "batch_4096_s": batch_s,
        "rewards_per_s": round(n / batch_s, 1),
        "target_s": 1.0,
        "meets_target": batch_s < 1.0,
    })
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
