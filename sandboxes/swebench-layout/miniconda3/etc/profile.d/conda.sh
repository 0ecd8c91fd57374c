# Stand-in for miniconda's conda.sh (conda itself cannot be fetched offline): `conda
# activate ENV` / `conda deactivate` over the envs in /opt/miniconda3/envs, which are
# venvs. Safe under `set -u` (SWE-bench eval scripts run with `set -uxo pipefail`).
conda() {
  case "${1:-}" in
    activate)
      if command -v deactivate >/dev/null 2>&1; then deactivate; fi
      local env="${2:-base}"
      if [ "$env" = base ]; then export CONDA_DEFAULT_ENV=base CONDA_PREFIX=/opt/miniconda3; return 0; fi
      [ -f "/opt/miniconda3/envs/$env/bin/activate" ] || { echo "EnvironmentNameNotFound: $env" >&2; return 1; }
      VIRTUAL_ENV_DISABLE_PROMPT=1 . "/opt/miniconda3/envs/$env/bin/activate"
      export CONDA_DEFAULT_ENV="$env" CONDA_PREFIX="/opt/miniconda3/envs/$env" ;;
    deactivate)
      if command -v deactivate >/dev/null 2>&1; then deactivate; fi
      unset CONDA_DEFAULT_ENV CONDA_PREFIX ;;
    *) echo "conda stand-in: only activate and deactivate" >&2; return 1 ;;
  esac
}
