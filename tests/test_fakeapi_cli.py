"""The fake API runs on its own for users trying a client by hand: `python -m tests.fakeapi`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
from conftest import API_KEY, GENERATED, ROOT


def test_python_m_fakeapi_prints_its_base_url_and_serves_a_generated_client() -> None:
    server = subprocess.Popen([sys.executable, "-m", "tests.fakeapi", "--port", "0", "--seed-conversation", "conv_123"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1"), base_url
        assert int(base_url.split(":")[2].split("/")[0]) > 0
        created = httpx.post(f"{base_url}/conversations", json={}, headers={"Authorization": f"Bearer {API_KEY}"})
        assert created.status_code == 200 and created.json()["object"] == "conversation"
        code = "from openai_conversations import Client; print(Client().conversations.retrieve('conv_123').id)"
        env = {**os.environ, "OPENAI_API_KEY": API_KEY, "OPENAI_BASE_URL": base_url, "PYTHONPATH": str(GENERATED)}
        client = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
        assert client.returncode == 0 and client.stdout.strip() == "conv_123", client.stderr
        assert httpx.get(f"{base_url}/conversations/conv_123", headers={"Authorization": "Bearer wrong"}).status_code == 401
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=10) == 0


def test_a_port_in_use_is_one_clear_line() -> None:
    with subprocess.Popen([sys.executable, "-m", "tests.fakeapi", "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE,
                          text=True) as first:
        try:
            assert first.stdout is not None
            port = first.stdout.readline().strip().split(":")[2].split("/")[0]
            second = subprocess.run([sys.executable, "-m", "tests.fakeapi", "--port", port], cwd=ROOT,
                                    capture_output=True, text=True, timeout=30)
            assert second.returncode == 2 and second.stdout == ""
            assert second.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}") and "--port" in second.stderr
            assert "Traceback" not in second.stderr
        finally:
            first.send_signal(signal.SIGINT)
            first.wait(timeout=10)
