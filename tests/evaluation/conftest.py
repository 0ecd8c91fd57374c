"""Fixtures for the eval tests: bundled task images, a stub OpenAI-compatible server,
and a check that neither our sandboxes nor swebench's grading containers outlive the tests."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from swe_srl import bundled


@pytest.fixture(scope="session")
def bundled_images(base_image) -> list[str]:
    bundled.ensure_images()
    return [t["image"] for t in bundled.bundled_tasks()]


@pytest.fixture(scope="session", autouse=True)
def no_leaked_grading_containers():
    """swebench names its grading containers sweb.eval.<instance>.<run id>; none of these
    tests' runs (run ids pytest-*) may leave one."""
    yield
    from tests.conftest import docker_engine_ok

    if not docker_engine_ok():
        return
    import docker

    left = [c.name for c in docker.from_env().containers.list(all=True) if c.name.startswith("sweb.eval.") and ".pytest-" in c.name]
    assert not left, f"swebench grading containers left behind: {left}"


class StubServer:
    """Serves /v1/chat/completions from a script of (status, completion text) replies;
    after the script runs out it repeats `default`. Records every request."""

    def __init__(self, script: list[tuple[int, str]] | None = None, default: tuple[int, str] = (200, "")):
        self.script = list(script or [])
        self.default = default
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server naming)
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with stub._lock:
                    stub.requests.append(body)
                    stub.headers.append({k.lower(): v for k, v in self.headers.items()})
                    status, text = stub.script.pop(0) if stub.script else stub.default
                if status == 200:
                    payload = {
                        "id": f"cmpl-{len(stub.requests)}", "object": "chat.completion", "created": 0,
                        "model": body.get("model", ""),
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 100, "completion_tokens": 7, "total_tokens": 107},
                    }
                else:
                    payload = {"error": {"message": text or f"status {status}", "type": "server_error", "code": status}}
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub_server():
    servers: list[StubServer] = []

    def start(script=None, default=(200, "")) -> StubServer:
        servers.append(StubServer(script, default))
        return servers[-1]

    yield start
    for s in servers:
        s.close()
