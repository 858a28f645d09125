"""Operations: webhook mode over real HTTP, `coachbot chat` through a pipe, the compose file."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bot.app import build_application
from bot.clock import ManualClock
from bot.testing.fake_api import FakeBotAPI
from bot.testing.harness import TEST_TOKEN
from bot.webhook import SECRET_HEADER, run_webhook, webhook_server
from tests.e2e.conftest import START, make_settings

ROOT = Path(__file__).resolve().parent.parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _update(text: str) -> dict[str, object]:
    user = {"id": 555, "is_bot": False, "first_name": "Web"}
    return {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 555, "type": "private"},
            "from": user,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


async def test_webhook_checks_secret_serves_health_and_replies(tmp_path: Path) -> None:
    port = _free_port()
    settings = make_settings(
        f"sqlite:///{tmp_path}/hook.db",
        webhook_url="https://bot.example",
        webhook_secret="s3cret",
        webhook_listen="127.0.0.1",
        webhook_port=port,
    )
    api = FakeBotAPI()
    app = build_application(settings, request=api, clock=ManualClock(START), token=TEST_TOKEN)
    server = webhook_server(app, settings)
    task = asyncio.create_task(run_webhook(app, settings, server))
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as client:
        for _ in range(100):
            if server.started:
                break
            await asyncio.sleep(0.05)
        health = await client.get(f"{base}/healthz")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert (await client.post(f"{base}/telegram", json=_update("/help"))).status_code == 403
        wrong = await client.post(
            f"{base}/telegram", json=_update("/help"), headers={SECRET_HEADER: "nope"}
        )
        assert wrong.status_code == 403
        good = await client.post(
            f"{base}/telegram", json=_update("/help"), headers={SECRET_HEADER: "s3cret"}
        )
        assert good.status_code == 200
        for _ in range(100):
            if api.sent_to(555):
                break
            await asyncio.sleep(0.05)
    server.should_exit = True
    await asyncio.wait_for(task, 10)
    assert "What I can do" in api.sent_to(555)[0].text
    hooks = [c for c in api.calls if c.method == "setWebhook"]
    assert hooks and hooks[0].params["url"] == "https://bot.example/telegram"
    assert hooks[0].params["secret_token"] == "s3cret"


SCRIPT = """/start
Sam
2025-12-01
2
2
2
2
2
3
2
UTC
09:00
/today
I walked to the river and breathed.
4
:wait 1d
I made breakfast for myself.
2
/progress
:quit
"""


def test_chat_through_a_pipe(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "chat",
            "--db",
            f"sqlite:///{tmp_path}/chat.db",
            "--media-dir",
            str(tmp_path / "media"),
        ],
        input=SCRIPT,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "you ›" not in out  # no prompt noise when piped
    assert "What name should I use for you?" in out
    assert "[1] I did  [2] They did  [3] It was mutual" in out
    assert "Here's where you stand" in out
    assert "⏩ now" in out and "Your reflection for today" in out  # :wait delivered the check-in
    assert out.count("Saved to your journal") == 2
    assert "Your progress, Sam" in out and "<b>" not in out
    saved = list((tmp_path / "media").glob("*.png"))
    assert saved and "[file saved:" in out


@pytest.mark.skipif(shutil.which("docker") is None, reason="docker client not installed")
def test_compose_file_validates() -> None:
    result = subprocess.run(
        ["docker", "compose", "-f", "deploy/docker-compose.yml", "config", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "POSTGRES_PASSWORD": "x"},
    )
    if "is not a docker command" in result.stderr or "unknown" in result.stderr.lower():
        pytest.skip("docker compose plugin not installed")
    if "env file" in result.stderr and ".env" in result.stderr:
        pytest.skip("deploy/.env missing")
    assert result.returncode == 0, result.stderr
