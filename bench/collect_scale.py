"""The step store at the paper's scale: a corpus resampled from the real SWE-smith samples
through `swe-srl collect --no-replay`, then through train's data loading.

The pool is every trajectory the readers get from the SWE-smith samples in
`../shared/real-trajectories` (`swe-smith`, `SWE-smith_5kTrajectories`, `swe_smith`); N
of them are drawn with replacement (seeded) and written as canonical records with new
trajectory ids. Each phase runs in its own process, so its peak RSS is its own:

- collect: `swe-srl collect --no-replay --format canonical` of the corpus;
- load: what `swe-srl train --config configs/tiny-cpu.yaml` does before its first step,
  bar the tiny model's warm start: load the folder, drop after divergence, split by
  trajectory, train the tiny tokenizer on `tokenizer_corpus`, render every prompt
  (window and `max_prompt_tokens` of the config) with `srl_dataset`.

    python bench/collect_scale.py                      # 5,000 trajectories (~134k steps)
    python bench/collect_scale.py --trajectories 200   # quick

Human-readable lines, then one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLE_DIRS = ("swe-smith", "SWE-smith_5kTrajectories", "swe_smith")


def shared_real() -> Path:
    from tests.conftest import SHARED

    return SHARED / "real-trajectories"


def pool() -> list[dict]:
    """Canonical records of every SWE-smith sample trajectory (unresolved ones included)."""
    from swe_srl.trajectory.sources import read_trajectories

    records = []
    for name in SAMPLE_DIRS:
        for traj in read_trajectories(str(shared_real() / name), "auto", include_unresolved=True):
            if isinstance(traj, Exception):
                continue
            records.append(traj.model_dump(mode="json"))
    if not records:
        raise SystemExit(f"no SWE-smith samples under {shared_real()}")
    return records


def write_corpus(n: int, dest: Path, seed: int) -> tuple[int, int]:
    """n records drawn from the pool with new ids, as one canonical jsonl; (bytes, rounds)."""
    records = pool()
    rng = random.Random(seed)
    rounds = 0
    with open(dest, "w", encoding="utf-8") as f:
        for i in range(n):
            rec = dict(rng.choice(records))
            rec["trajectory_id"] = f"{rec['trajectory_id']}__resample{i:05d}"
            rec["resolved"] = True
            rounds += len(rec["rounds"])
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return dest.stat().st_size, rounds


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, stdout) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode})")
    return seconds, usage.ru_maxrss / 1024, out


def load_phase(data: str, config: str) -> None:
    """Child process: train's data loading; prints one JSON line."""
    from swe_srl.srl import data as step_data
    from swe_srl.srl.config import load_config
    from swe_srl.srl.tiny import build_tokenizer

    cfg = load_config(config, data=data)
    t0 = time.perf_counter()
    steps = step_data.load_steps(cfg.data)
    steps, dropped = step_data.drop_after_divergence(steps, cfg.drop_after_divergence)
    train, val = step_data.split_by_trajectory(steps, cfg.val_trajectories, cfg.seed)
    t1 = time.perf_counter()
    tokenizer = build_tokenizer(step_data.tokenizer_corpus(train), cfg.tiny_vocab_size)
    t2 = time.perf_counter()
    rows = step_data.srl_dataset(train, tokenizer, cfg)
    t3 = time.perf_counter()
    print(json.dumps({"steps": len(steps), "train_rows": len(rows), "truncated": int(sum(rows["prompt_truncated"])),
                      "read_s": round(t1 - t0, 2), "tokenizer_s": round(t2 - t1, 2), "prompts_s": round(t3 - t2, 2)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=5000, help="corpus size (default 5,000, the paper's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--config", default=str(ROOT / "configs" / "tiny-cpu.yaml"))
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    parser.add_argument("--load-phase", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load_phase:
        load_phase(args.load_phase, args.config)
        return

    work = args.keep or Path(tempfile.mkdtemp(prefix="collect-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus, out = work / "corpus.jsonl", work / "steps"
    input_bytes, rounds = write_corpus(args.trajectories, corpus, args.seed)
    print(f"corpus: {args.trajectories} trajectories, {rounds} rounds, {input_bytes / 1e6:.1f} MB ({corpus})")

    collect_s, collect_mb, _ = timed([sys.executable, "-m", "swe_srl.cli", "collect", "--no-replay", "--format", "canonical",
                                      "--trajectories", str(corpus), "--out", str(out)])
    manifest = json.loads((out / "manifest.json").read_text())
    steps = manifest["totals"]["steps"]
    store_bytes = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    print(f"collect --no-replay: {steps} steps in {collect_s:.1f} s ({steps / collect_s:.0f} steps/s), "
          f"peak RSS {collect_mb:.0f} MB, store {store_bytes / 1e6:.1f} MB = {store_bytes / input_bytes:.2f}x the input")

    env = {**os.environ, "HF_DATASETS_CACHE": str(work / "hf-cache")}  # nothing reused from an earlier run
    load_s, load_mb, load_out = timed([sys.executable, str(Path(__file__).resolve()), "--config", args.config,
                                       "--load-phase", str(out)], env=env)
    loaded = json.loads(load_out.strip().splitlines()[-1])
    print(f"train data loading: {loaded['train_rows']} prompts in {load_s:.1f} s (read {loaded['read_s']} s, "
          f"tiny tokenizer {loaded['tokenizer_s']} s, prompts {loaded['prompts_s']} s), peak RSS {load_mb:.0f} MB")
    figures = {
        "trajectories": args.trajectories, "steps": steps, "input_mb": round(input_bytes / 1e6, 2),
        "store_mb": round(store_bytes / 1e6, 2), "store_over_input": round(store_bytes / input_bytes, 3),
        "collect_s": round(collect_s, 2), "collect_steps_per_s": round(steps / collect_s, 1),
        "collect_peak_rss_mb": round(collect_mb, 1), "load_total_s": round(load_s, 2),
        "load_peak_rss_mb": round(load_mb, 1), **{f"load_{k}": v for k, v in loaded.items() if k != "steps"},
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
