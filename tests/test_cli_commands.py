"""The CLI's side of the commands, as a real process: the sandbox banner and --allow-downloads."""

from __future__ import annotations

import os
import subprocess

import yaml

from tests.helpers import reply, write_script
from tests.servers.fixture_site import FixtureSite
from tests.processes import GOOD_SETTINGS, cli
from autogpt_graph.tools.sandbox import bwrap_usable


def test_banner_names_the_sandbox_and_allow_downloads_enables_download_file(tmp_path):
    settings = {**GOOD_SETTINGS, "ai_goals": ["Download the fixture file"]}  # no goal file to nudge about
    (tmp_path / "good.yaml").write_text(yaml.safe_dump(settings), "utf-8")
    with FixtureSite() as site:
        write_script(tmp_path, {"think": [reply("download_file", url=site.url("/file.txt"), filename="got.txt"),
                                          reply("task_complete", reason="downloaded")]}, "S.yaml")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_", "USE_AZURE"))}
        env.update(COLUMNS="500", ALLOW_LOOPBACK_URLS="true")
        done = subprocess.run([*cli(), "run", "-C", "good.yaml", "-w", "ws", "--llm", "script:S.yaml", "-c",
                               "--allow-downloads"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    banner = next(line for line in out.splitlines() if line.startswith("Sandbox:"))
    assert ("bubblewrap" if bwrap_usable() else "resource limits only") in banner
    assert (tmp_path / "ws" / "got.txt").read_text() == "downloaded text\n"
    assert 'Successfully downloaded and locally stored file: "got.txt"' in out


def test_the_console_says_why_the_model_is_asked_again(tmp_path):
    (tmp_path / "good.yaml").write_text(yaml.safe_dump(GOOD_SETTINGS), "utf-8")
    # task_complete with hello.txt missing is pushed back once, also after the unusable reply.
    write_script(tmp_path, {"think": ["no json at all", *[reply("task_complete", reason="done")] * 2]}, "S.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_", "USE_AZURE"))}
    env.update(COLUMNS="500", FIX_JSON_WITH_MODEL="false")
    done = subprocess.run([*cli(), "run", "-C", "good.yaml", "-w", "ws", "--llm", "script:S.yaml", "-c"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "Asking the model again (1): " in out and "JSON" in out.split("Asking the model again (1): ")[1].splitlines()[0]


def test_a_devised_config_is_saved_and_offered_back(tmp_path):
    """AutoGPT saves the name, role and goals the model devised to ai_settings.yaml, so the next start
    offers "Welcome back" (issue 20)."""
    import yaml

    from tests.helpers import reply, write_script
    from tests.processes import autogpt

    decomposition = "Name: HaikuGPT\nDescription: a poet AI.\nGoals:\n- Write a haiku to haiku.txt\n- Shut down\n"
    think = [reply("write_to_file", filename="haiku.txt", text="leaves fall"), reply("task_complete", reason="done")]
    write_script(tmp_path, {"decompose": [decomposition], "think": think}, "S.yaml")
    code, out = autogpt(tmp_path, "run", "Write a haiku to haiku.txt", "--llm", "script:S.yaml", "-c", "-w", "ws")
    assert code == 0, out
    saved = yaml.safe_load((tmp_path / "ai_settings.yaml").read_text())
    assert saved["ai_name"] == "HaikuGPT" and saved["ai_goals"] == ["Write a haiku to haiku.txt", "Shut down"]
    assert "ai_settings.yaml; the next `autogpt run` offers it back" in out
    code, out = autogpt(tmp_path, "run", "--llm", "script:S.yaml", "-w", "ws2")  # no task: offered back
    assert "Welcome back! Would you like me to return to being HaikuGPT?" in out
