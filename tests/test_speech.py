"""--speak: thoughts are said one after another in the background; unavailable or failing speech is one
note and the run goes on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from autogpt_graph.graph.settings import Settings
from autogpt_graph.graph.cli.speech import Speaker, make_engine, start_speaker
from tests.helpers import reply, write_script
from tests.processes import GOOD_SETTINGS, cli


def test_speaker_says_in_order_and_stops_quietly_after_a_failure():
    said, notes = [], []

    def engine(text):
        if text == "boom":
            raise RuntimeError("the speaker broke")
        said.append(text)

    speaker = Speaker(engine, notes.append)
    for text in ["one", "  ", "two", "boom", "three"]:
        speaker.say(text)
    speaker.close()
    assert said == ["one", "two"]
    assert notes == ["Speech stopped: the speaker broke. The run goes on without it."]


def test_no_tts_program_is_one_note(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing to speak with
    notes = []
    assert start_speaker(Settings(_env_file=None, speech_engine="system"), notes.append) is None
    assert notes == ["Speech is off: no text-to-speech program was found (install espeak-ng, or set ELEVENLABS_API_KEY)."]


def test_elevenlabs_request_then_no_player_is_one_note(tmp_path, monkeypatch):
    seen = []

    class Api(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append((self.path, self.headers["xi-api-key"], json.loads(body)))
            self.send_response(200)
            self.send_header("Content-Type", "audio/mpeg")
            self.send_header("Content-Length", "3")
            self.end_headers()
            self.wfile.write(b"ID3")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("PATH", str(tmp_path))  # no audio player here
    settings = Settings(_env_file=None, elevenlabs_api_key="el-key", elevenlabs_voice_id="voice1",
                        elevenlabs_api_url=f"http://127.0.0.1:{server.server_address[1]}")
    notes = []
    speaker = Speaker(make_engine(settings), notes.append)
    speaker.say("Hello there")
    speaker.say("Not attempted after the failure")
    speaker.close()
    server.shutdown()
    assert seen == [("/v1/text-to-speech/voice1", "el-key", {"text": "Hello there"})]
    assert notes == ["Speech stopped: no audio player (mpg123, ffplay or afplay) was found to play ElevenLabs' audio. "
                     "The run goes on without it."]


def test_cli_speak_without_tts_runs_to_the_end(tmp_path):
    settings = {**GOOD_SETTINGS, "ai_goals": ["Say hello"]}
    (tmp_path / "good.yaml").write_text(yaml.safe_dump(settings), "utf-8")
    write_script(tmp_path, {"think": [reply("task_complete", reason="said hello")]}, "S.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_", "USE_AZURE", "ELEVENLABS"))}
    env.update(COLUMNS="500", PATH=str(Path(sys.executable).parent), SPEECH_ENGINE="system")
    done = subprocess.run([*cli(), "run", "-C", "good.yaml", "-w", "ws", "--llm", "script:S.yaml", "-c", "--speak"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "Speech is off: no text-to-speech program was found" in out
    assert "Task complete: said hello" in out
