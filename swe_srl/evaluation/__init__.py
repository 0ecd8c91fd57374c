"""`swe-srl eval`: a policy works SWE-bench tasks as an agent in sandboxes; its patches
are graded by the real SWE-bench harness.

Entry points: `run_eval(EvalConfig(...)) -> report dict` and `print_summary(report)`.
"""

from swe_srl.evaluation.config import EvalConfig
from swe_srl.evaluation.report import print_summary
from swe_srl.evaluation.runner import run_eval

__all__ = ["EvalConfig", "print_summary", "run_eval"]
