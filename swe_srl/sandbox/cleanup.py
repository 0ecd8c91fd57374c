"""No container outlives its run: a registry of open sandboxes closed at exit and on
SIGINT/SIGTERM, and a run id label so `swe-srl sandbox prune` can find leftovers of
runs that died harder (kill -9)."""

from __future__ import annotations

import atexit
import os
import signal
import threading
import uuid
import weakref

RUN_ID = os.environ.get("SWE_SRL_RUN_ID") or uuid.uuid4().hex[:12]

_open: "weakref.WeakSet" = weakref.WeakSet()
_lock = threading.Lock()
_installed = False


def register(sandbox) -> None:
    with _lock:
        _open.add(sandbox)


def unregister(sandbox) -> None:
    with _lock:
        _open.discard(sandbox)


def close_all() -> None:
    """Close every sandbox still open in this process."""
    with _lock:
        sandboxes = list(_open)
    for sb in sandboxes:
        try:
            sb.close()
        except Exception:  # best effort: keep closing the others
            pass


def _handler(signum, frame, previous):
    close_all()
    if callable(previous):
        previous(signum, frame)
    elif previous == signal.SIG_IGN:
        return
    elif signum == signal.SIGINT:
        raise KeyboardInterrupt
    else:
        raise SystemExit(128 + signum)


def install_signal_handlers() -> None:
    """Chain our cleanup in front of the SIGINT/SIGTERM handlers (main thread only)."""
    global _installed
    if _installed or threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(sig)
        signal.signal(sig, lambda s, f, p=previous: _handler(s, f, p))
    atexit.register(close_all)
    _installed = True
