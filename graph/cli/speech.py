"""`--speak`: the agent says its "speak" thought aloud each cycle, as AutoGPT's speak mode did.

Engines: ElevenLabs (ELEVENLABS_API_KEY; the audio is played with mpg123, ffplay or afplay) or the
system's text-to-speech program (macOS `say`, `espeak-ng`, `espeak`, `spd-say`). SPEECH_ENGINE=auto
picks ElevenLabs when its key is set, else the system program. Speaking runs in a background thread,
one sentence after another, so it never slows the loop; when speech is unavailable or fails, the user
gets one note and the run goes on silently, never a crash.
"""

from __future__ import annotations

import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable

import httpx

SYSTEM_TTS = (("say", []), ("espeak-ng", []), ("espeak", []), ("spd-say", ["-w"]))
PLAYERS = (("mpg123", ["-q"]), ("ffplay", ["-nodisp", "-autoexit", "-loglevel", "quiet"]), ("afplay", []))


class SpeechUnavailable(RuntimeError):
    pass


def _system_engine() -> Callable[[str], None]:
    for name, flags in SYSTEM_TTS:
        program = shutil.which(name)
        if program:
            return lambda text: _run([program, *flags, text])
    raise SpeechUnavailable("no text-to-speech program was found (install espeak-ng, or set ELEVENLABS_API_KEY)")


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, timeout=120)
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
        raise RuntimeError(f"{command[0]} failed: {reason[0]}")


def _elevenlabs_engine(settings) -> Callable[[str], None]:
    key = settings.elevenlabs_api_key.get_secret_value()
    url = f"{settings.elevenlabs_api_url.rstrip('/')}/v1/text-to-speech/{settings.elevenlabs_voice_id}"

    def speak(text: str) -> None:
        response = httpx.post(url, headers={"xi-api-key": key, "Content-Type": "application/json"},
                              json={"text": text}, timeout=settings.web_timeout)
        if response.status_code >= 400:
            raise RuntimeError(f"ElevenLabs answered HTTP {response.status_code}")
        player = next(((shutil.which(p), flags) for p, flags in PLAYERS if shutil.which(p)), None)
        if player is None:
            raise RuntimeError("no audio player (mpg123, ffplay or afplay) was found to play ElevenLabs' audio")
        with tempfile.NamedTemporaryFile(suffix=".mp3") as f:
            f.write(response.content)
            f.flush()
            _run([player[0], *player[1], f.name])

    return speak


def make_engine(settings) -> Callable[[str], None]:
    engine = settings.speech_engine
    if engine == "elevenlabs" or (engine == "auto" and settings.elevenlabs_api_key):
        if not settings.elevenlabs_api_key:
            raise SpeechUnavailable("SPEECH_ENGINE=elevenlabs needs ELEVENLABS_API_KEY")
        return _elevenlabs_engine(settings)
    return _system_engine()


class Speaker:
    """Says texts one after another in a background thread; `note` reports the first failure."""

    def __init__(self, engine: Callable[[str], None], note: Callable[[str], None]):
        self._engine, self._note = engine, note
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._failed = False
        self._thread = threading.Thread(target=self._work, daemon=True)
        self._thread.start()

    def say(self, text: str) -> None:
        if text and text.strip() and not self._failed:
            self._queue.put(text.strip())

    def _work(self) -> None:
        while (text := self._queue.get()) is not None:
            if self._failed:
                continue
            try:
                self._engine(text)
            except Exception as exc:  # noqa: BLE001 - speech is a nicety: report once, go on silently
                self._failed = True
                self._note(f"Speech stopped: {exc}. The run goes on without it.")

    def close(self, timeout: float = 30.0) -> None:
        """Let the queued sentences finish (up to `timeout`)."""
        self._queue.put(None)
        self._thread.join(timeout)


def start_speaker(settings, note: Callable[[str], None]) -> Speaker | None:
    try:
        return Speaker(make_engine(settings), note)
    except SpeechUnavailable as exc:
        note(f"Speech is off: {exc}.")
        return None
