"""Per-action overhead of the persistent shell session against one `docker exec` per
command (what mini-swe-agent and the SWE-bench harness do), measured side by side in
one run on the same container, plus container start to first output.

    python bench/sandbox_overhead.py [--actions 300] [--starts 10] [--image swe-srl/base:latest]

Last line: JSON with session_ms_median, session_ms_p95, docker_exec_ms_median, ratio,
start_ms_median. Targets: session median <= 5 ms, ratio >= 8.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from swe_srl.sandbox.docker import DockerSandbox


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--image", default="swe-srl/base:latest")
    ap.add_argument("--actions", type=int, default=300)
    ap.add_argument("--starts", type=int, default=10)
    args = ap.parse_args()

    starts = []
    for _ in range(args.starts):
        t = time.perf_counter()
        with DockerSandbox(args.image) as sb:
            sb.run("echo ready")
            starts.append((time.perf_counter() - t) * 1000)

    with DockerSandbox(args.image) as sb:
        for _ in range(20):  # warm both paths
            sb.run(":")
            sb.container.exec_run(["bash", "-c", ":"])
        session, exec_ = [], []
        for _ in range(args.actions):  # interleaved so drift hits both alike
            t = time.perf_counter()
            sb.run(":")
            session.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            sb.container.exec_run(["bash", "-c", ":"], workdir="/testbed")
            exec_.append((time.perf_counter() - t) * 1000)

    figures = {
        "actions": args.actions,
        "session_ms_median": round(statistics.median(session), 3),
        "session_ms_p95": round(pct(session, 0.95), 3),
        "docker_exec_ms_median": round(statistics.median(exec_), 3),
        "docker_exec_ms_p95": round(pct(exec_, 0.95), 3),
        "ratio": round(statistics.median(exec_) / statistics.median(session), 1),
        "start_ms_median": round(statistics.median(starts), 1),
    }
    print(f"persistent session : median {figures['session_ms_median']} ms, p95 {figures['session_ms_p95']} ms over {args.actions} no-op actions")
    print(f"docker exec each   : median {figures['docker_exec_ms_median']} ms, p95 {figures['docker_exec_ms_p95']} ms")
    print(f"ratio (exec/session): {figures['ratio']}x   container start to first output: {figures['start_ms_median']} ms (median of {args.starts})")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
