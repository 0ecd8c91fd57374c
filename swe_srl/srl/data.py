"""Step rows in, training rows out.

`load_steps` reads what `swe-srl collect` writes (a folder with the step table
`steps.jsonl` and the trajectory table `trajectories.jsonl`), a flat jsonl file of step
rows (each with its `history`, as `swe-srl export` writes), or a Hub dataset of those.
A collect folder's step rows hold no history: each row carries the folder (`store`) and
its history is built from the trajectory table when the prompt is rendered, so the
window K is chosen here and every round is held in memory once. Validation is held out by trajectory, never by row, so no
trajectory's steps are on both sides. SRL rows carry the rendered prompt and the
`expert_action` column the reward reads; SFT rows carry the same prompt and the expert's
thought + action as the completion, so both methods see identical data.
"""

from __future__ import annotations

import functools
import json
import logging
import random
from pathlib import Path
from typing import Any

from swe_srl.srl.prompt import SYSTEM_PROMPT, build_messages, render_prompt, user_message
from swe_srl.srl.parse import render_completion

log = logging.getLogger(__name__)

STEP_FILE_GLOB = "steps*.jsonl"
TRAJECTORY_TABLE = "trajectories.jsonl"
KEEP_COLUMNS = ("instance_id", "trajectory_id", "step_index", "expert_tool")


def is_table_store(folder: Path) -> bool:
    """A collect folder whose steps reference a trajectory table (rows without `history`)."""
    folder = Path(folder)
    steps = sorted(folder.glob(STEP_FILE_GLOB))
    if not steps or not (folder / TRAJECTORY_TABLE).exists():
        return False
    with open(steps[0], "rb") as f:
        first = f.readline()
    return not first.strip() or "history" not in json.loads(first)


@functools.lru_cache(maxsize=4)
def trajectory_table(store: str) -> dict[str, dict[str, Any]]:
    """trajectory id -> {problem_statement, history (every round once)} of a collect folder."""
    table: dict[str, dict[str, Any]] = {}
    with open(Path(store) / TRAJECTORY_TABLE, "rb") as f:
        for line in f:
            rec = json.loads(line)
            table[rec["trajectory_id"]] = {
                "problem_statement": rec.get("problem_statement") or "",
                "history": [{"thought": r["thought"], "action": r["action"], "observation": r["observation"]} for r in rec["rounds"]],
            }
    return table


def row_history(row: dict[str, Any]) -> list[dict[str, Any]]:
    """The rounds before a step: from a flat row's `history`, or its trajectory's table record."""
    if row.get("store"):
        return trajectory_table(row["store"])[row["trajectory_id"]]["history"][: row["step_index"]]
    return row.get("history") or []


def row_problem(row: dict[str, Any]) -> str:
    if row.get("store"):
        return trajectory_table(row["store"])[row["trajectory_id"]]["problem_statement"]
    return row.get("problem_statement") or ""


def load_steps(source: str | Path, split: str = "train"):
    """A `datasets.Dataset` of step rows from a collect folder, a jsonl file or a Hub name."""
    from datasets import load_dataset

    path = Path(source)
    if path.is_dir():
        files = sorted(str(p) for p in path.glob(STEP_FILE_GLOB))
        if not files:
            raise FileNotFoundError(f"{path}: no {STEP_FILE_GLOB} files (is this a `swe-srl collect` output?)")
        ds = load_dataset("json", data_files=files, split="train")
        if is_table_store(path):
            ds = ds.add_column("store", [str(path.resolve())] * len(ds))
        return ds
    if path.is_file():
        return load_dataset("json", data_files=str(path), split="train")
    if path.suffix in {".jsonl", ".json"} or str(source).startswith((".", "/")):
        raise FileNotFoundError(f"{source}: no such file or folder")
    return load_dataset(str(source), split=split)


def drop_after_divergence(ds, threshold: float | None):
    """Drop the steps after each trajectory's first divergence above `threshold`.

    The diverged step itself stays (its history is still faithful); later steps would
    show the policy a world the expert never saw. Rows without a divergence (--no-replay,
    not replayable) never trigger the cut. Returns (dataset, number of rows dropped).
    """
    if threshold is None or "divergence" not in ds.column_names:
        return ds, 0
    first: dict[str, int] = {}
    for tid, k, div in zip(ds["trajectory_id"], ds["step_index"], ds["divergence"]):
        if div is not None and div > threshold and k < first.get(tid, k + 1):
            first[tid] = k
    if not first:
        return ds, 0
    kept = ds.filter(lambda tid, k: k <= first.get(tid, k), input_columns=["trajectory_id", "step_index"])
    dropped = len(ds) - len(kept)
    log.warning("%d steps of %d trajectories dropped: they come after a divergence above %g", dropped, len(first), threshold)
    return kept, dropped


def split_by_trajectory(ds, val_trajectories: int, seed: int = 0):
    """(train, validation) with whole trajectories on each side; at least one stays in train."""
    ids = sorted(set(ds["trajectory_id"]))
    n_val = min(max(val_trajectories, 0), max(len(ids) - 1, 0))
    held = set(random.Random(seed).sample(ids, n_val)) if n_val else set()
    train = ds.filter(lambda t: t not in held, input_columns="trajectory_id")
    val = ds.filter(lambda t: t in held, input_columns="trajectory_id")
    return train, val


def sft_completion(thought: str, action: str, tool: str = "") -> str:
    """The SFT target: the expert's thought as the monologue, then the expert's call.

    Rendered by `parse.render_completion`, the renderer eval and the reward's parser
    agree on: the call in canonical form, `</think>` escaped inside the thought, and a
    one-line monologue naming the tool for steps without a recorded thought (an empty
    think block is invalid).
    """
    return render_completion(thought, action, tool)


def _srl_row(row: dict[str, Any], tokenizer, config) -> dict[str, Any]:
    rendered = render_prompt(
        row_problem(row),
        row_history(row),
        tokenizer,
        config.max_prompt_tokens,
        config.window,
    )
    out = {k: row.get(k) for k in KEEP_COLUMNS}
    out.update(
        prompt=rendered.text,
        expert_action=row["expert_action"],
        prompt_tokens=rendered.num_tokens,
        prompt_truncated=rendered.truncated,
        prompt_fits=rendered.fits,
    )
    return out


def _drop_unfit(ds, label: str):
    unfit = len(ds) - sum(ds["prompt_fits"])
    if unfit:
        log.warning("%s: %d rows dropped, their prompt cannot fit max_prompt_tokens", label, unfit)
        ds = ds.filter(lambda fits: fits, input_columns="prompt_fits")
    return ds.remove_columns("prompt_fits")


def _map_rows(ds, row_fn, tokenizer, config, desc: str, label: str):
    """Step rows -> training rows (only the new columns kept), prompts that cannot fit dropped."""
    out = ds.map(
        row_fn,
        fn_kwargs={"tokenizer": tokenizer, "config": config},
        remove_columns=ds.column_names,
        num_proc=config.dataset_num_proc if (config.dataset_num_proc or 0) > 1 else None,
        desc=desc,
    )
    return _drop_unfit(out, label)


def srl_dataset(ds, tokenizer, config, label: str = "train"):
    """Rows for GRPO: text `prompt` (chat template applied, fitted) and `expert_action`.

    Other step columns are dropped on purpose: TRL treats an `image` column as vision
    input, and the history and patches are only needed to build the prompt.
    """
    return _map_rows(ds, _srl_row, tokenizer, config, f"SRL prompts ({label})", label)


def _sft_row(row: dict[str, Any], tokenizer, config) -> dict[str, Any]:
    out = _srl_row(row, tokenizer, config)
    out["completion"] = sft_completion(row.get("expert_thought", ""), row["expert_action"], row.get("expert_tool", ""))
    return out


def sft_dataset(ds, tokenizer, config, label: str = "train"):
    """Prompt/completion text rows for TRL's SFTTrainer (loss on the completion only).

    The completion is appended as text after the rendered prompt rather than rendered as
    an assistant message, because several chat templates strip `<think>` blocks from
    assistant turns; this way the monologue is always part of the target.
    """
    return _map_rows(ds, _sft_row, tokenizer, config, f"SFT examples ({label})", label)


def tokenizer_corpus(ds, limit: int = 2000) -> list[str]:
    """Texts to train the tiny tokenizer on: system prompt, user turns and targets.

    Of the first `limit` steps, every target once and every trajectory's rounds once (the
    user turn of its latest step there), never one history per step.
    """
    texts = [SYSTEM_PROMPT]
    latest: dict[str, dict[str, Any]] = {}
    for row in ds.select(range(min(limit, len(ds)))):
        texts.append(sft_completion(row.get("expert_thought", ""), row["expert_action"], row.get("expert_tool", "")))
        seen = latest.get(row["trajectory_id"])
        if seen is None or row["step_index"] > seen["step_index"]:
            latest[row["trajectory_id"]] = row
    for row in latest.values():
        texts.extend(_pieces(user_message(row_problem(row), row_history(row), "all")))
    return texts


def _pieces(text: str, size: int = 4096) -> list[str]:
    """A long text as pieces of about `size` characters cut at line ends: the tiny
    tokenizer's merges span whitespace, so each text is one BPE word, and training time
    grows with the length of the longest ones."""
    if len(text) <= size:
        return [text]
    out, cur, n = [], [], 0
    for line in text.splitlines(keepends=True):
        while len(line) > size:
            if cur:
                out.append("".join(cur))
                cur, n = [], 0
            out.append(line[:size])
            line = line[size:]
        if n + len(line) > size and cur:
            out.append("".join(cur))
            cur, n = [], 0
        cur.append(line)
        n += len(line)
    if cur:
        out.append("".join(cur))
    return out


def warm_start_pairs(ds, window, limit: int = 2000) -> list[tuple[list[dict], str]]:
    """(messages, completion) pairs for the tiny model's supervised warm start."""
    pairs = []
    for row in ds.select(range(min(limit, len(ds)))):
        messages = build_messages(row_problem(row), row_history(row), window)
        pairs.append(
            (messages, sft_completion(row.get("expert_thought", ""), row["expert_action"], row.get("expert_tool", "")))
        )
    return pairs
