"""The sandbox for execute_python_file / execute_python_code / execute_shell: hostile scripts are contained,
the model gets a clear result, and the run goes on."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from pathlib import Path

import pytest

from autogpt_graph.graph.prompting.events import event_text
from autogpt_graph.graph.runs.runner import AgentRunner
from autogpt_graph.graph.settings import Settings
from autogpt_graph.graph.steering.base import Facts
from autogpt_graph.graph.steering.small import SmallModelSteering
from autogpt_graph.nodes.execute_tool import run_steered
from autogpt_graph.tools.execute import build_execute_tools
from autogpt_graph.tools.process_limits import process_cap_kind
from autogpt_graph.tools.registry import ToolRegistry
from autogpt_graph.tools.sandbox import bwrap_usable, describe_isolation, minimal_env, private_paths
from autogpt_graph.tools.shell_policy import command_names, refusal
from autogpt_graph.tools.workspace import Workspace
from tests.helpers import reply, start_scripted

needs_bwrap = pytest.mark.skipif(
    not bwrap_usable(), reason="bubblewrap is missing or cannot create namespaces here (scripts/install.sh installs it)"
)
needs_process_cap = pytest.mark.skipif(
    process_cap_kind() == "none", reason="running as root without a writable pids cgroup: no process cap to test"
)

SECRET = "sk-test-this-must-never-leak"


def settings(**over) -> Settings:
    base = dict(sandbox_timeout=3, sandbox_cpu_seconds=10, sandbox_memory_mb=512, sandbox_max_processes=32,
                sandbox_output_chars=2000)
    return Settings(_env_file=None, **{**base, **over})


def tools_for(ws: Workspace, **over) -> dict:
    return {t.name: t for t in build_execute_tools(ws, settings(**over))}


def run_code(ws: Workspace, code: str, **over) -> str:
    return tools_for(ws, **over)["execute_python_code"].invoke({"code": code})


def steered(ws: Workspace, name: str, **args) -> str:
    """What the model reads after the command runs with the small-model steering: the code mended
    first, hints on the outcome after it (graph/steering/code_mends.py)."""
    tools = ToolRegistry(build_execute_tools(ws, settings()))
    return run_steered(Facts(ws, tools), SmallModelSteering(), {"name": name, "args": args}).text


def test_secret_in_the_environment_never_reaches_the_child(ws, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("MY_SERVICE_TOKEN", SECRET)
    monkeypatch.setenv("HARMLESS", "visible")
    out = run_code(ws, "import os\nprint(sorted(os.environ.items()))")
    assert "Exit code: 0." in out
    assert SECRET not in out and "OPENAI_API_KEY" not in out
    # Passthrough lets named variables in, but never one whose name marks a secret.
    env = minimal_env(ws, "HARMLESS,MY_SERVICE_TOKEN")
    assert env["HARMLESS"] == "visible" and "MY_SERVICE_TOKEN" not in env


def test_python_file_runs_in_the_workspace(ws):
    (ws.root / "hello.py").write_text("import os\nprint('hi from', os.getcwd())\nopen('made.txt','w').write('x')\n")
    out = tools_for(ws)["execute_python_file"].invoke({"filename": "hello.py"})
    assert "Exit code: 0." in out and f"hi from {ws.root}" in out
    assert (ws.root / "made.txt").read_text() == "x"


def test_a_standard_module_used_without_import_is_imported(ws):
    out = steered(ws, "execute_python_code", code="print(next(csv.reader(['a,b'])), math.floor(2.5))")
    assert "Exit code: 0." in out and "['a', 'b'] 2" in out
    assert out.endswith("(The runtime added `import csv, math` as a first line: the code used it without importing it.)")
    # A name bound in the code is not a missing module; nor is code that does not parse.
    assert "runtime added" not in steered(ws, "execute_python_code", code="csv = [1]\nprint(csv)")
    assert "runtime added" not in steered(ws, "execute_python_code", code="def f(re):\n    return re\nprint(f(1), undefined_name)")
    assert "runtime added" not in steered(ws, "execute_python_code", code="print(csv.reader(")
    # Without steering the code runs as the model wrote it.
    assert "NameError: name 'csv' is not defined" in run_code(ws, "print(csv.reader(['a']))")


def test_a_line_break_inside_a_string_literal_is_read_as_backslash_n(ws):
    from autogpt_graph.graph.steering.code_mends import escape_broken_strings

    # What JSON made of the model's '\\n': a real line break inside a one-line string.
    code = "rows = ['a', 'b']\nfor r in rows:\n    print(r + '\n', end='')  # done\n"
    out = steered(ws, "execute_python_code", code=code)
    assert "Exit code: 0." in out and "STDOUT:\na\nb" in out
    assert "(The runtime wrote line breaks inside string literals as \\n" in out
    # Code that parses, or that the change would not mend, is left as it is.
    assert escape_broken_strings('s = """\nx"""\n# it\'s\n') == 's = """\nx"""\n# it\'s\n'
    assert escape_broken_strings("print('a\n') (") == "print('a\n') ("


def test_a_standard_module_used_without_import_gets_a_hint(ws):
    (ws.root / "use_csv.py").write_text("print(csv.reader(['a,b']))\n")  # a file is run as it is
    out = steered(ws, "execute_python_file", filename="use_csv.py")
    assert "NameError: name 'csv' is not defined" in out
    assert out.endswith("The code uses the module csv without importing it: add `import csv` at its top.")
    assert "without importing" not in steered(ws, "execute_python_code", code="print(undefined_name)")  # not a module
    assert steered(ws, "execute_python_code", code="import surely_not_installed_here").endswith(
        "The module surely_not_installed_here is not installed here: use Python's standard library instead "
        "(csv, json, re, statistics).")


def test_a_csv_header_taken_for_a_number_gets_a_hint(ws):
    out = steered(ws, "execute_python_code", code="import csv\nprint(sum(float(r[1]) for r in csv.reader(['item,amount', 'tea,2'])))")
    assert out.endswith("'amount' is not a number: skip what is not a number (a CSV file's header row: call "
                        "next(reader) once before the loop, or use csv.DictReader; other lines: try/except ValueError).")
    assert "is not a number" not in steered(ws, "execute_python_code", code="float('12a')")  # not a word: no hint


def test_the_sandbox_has_pandas_for_csv_work(ws):
    (ws.root / "sales.csv").write_text("item,amount\ntea,12\ncake,25\n")
    out = run_code(ws, "import pandas as pd\nprint(pd.read_csv('sales.csv')['amount'].sum())")
    assert "Exit code: 0." in out and "STDOUT:\n37" in out


def test_library_frames_of_a_traceback_are_cut_for_the_small_model(ws):
    """A pandas KeyError is ~60 lines of library frames around the one line that says what went wrong:
    the small model reads its own frames (paths relative to the workspace) and the error; other models
    read the traceback whole."""
    (ws.root / "sales.csv").write_text("item,amount\ntea,12\n")
    (ws.root / "total.py").write_text("import pandas as pd\nprint(pd.read_csv('sales.csv')['price'].sum())\n")
    whole = tools_for(ws)["execute_python_file"].invoke({"filename": "total.py"})
    out = steered(ws, "execute_python_file", filename="total.py")
    assert "site-packages" in whole and "site-packages" not in out and "^^^" not in out
    assert 'File "total.py", line 2, in <module>' in out and "of library code not shown" in out
    assert out.rstrip().splitlines()[-1] == "KeyError: 'price'" == whole.rstrip().splitlines()[-1]
    assert len(out) < len(whole) / 3


def test_python_file_sent_as_code_runs_as_that_file(ws):
    """The 1.5B model sent `python compute.py` as execute_python_code's code (run_and_report)."""
    (ws.root / "compute.py").write_text("print(6 * 7)\n")
    out = steered(ws, "execute_python_code", code="python compute.py")
    assert "STDOUT:\n42" in out and "ran compute.py with execute_python_file" in out
    assert "SyntaxError" in run_code(ws, "python compute.py")  # without steering: as the model wrote it


def test_code_that_prints_nothing_or_is_empty(ws):
    out = steered(ws, "execute_python_code", code="total = 12 + 25")
    assert out.endswith("The code printed nothing: print() the values you need to see them.")
    assert "printed nothing" not in steered(ws, "execute_python_code", code="print(12 + 25)")
    assert "printed nothing" not in run_code(ws, "total = 12 + 25")  # without steering: no hint
    with pytest.raises(ValueError, match="The code is empty"):
        tools_for(ws)["execute_python_code"].invoke({"code": "  \n"})


def test_python_file_refusals(ws):
    tool = tools_for(ws)["execute_python_file"]
    with pytest.raises(ValueError, match="outside the workspace|not allowed"):
        tool.invoke({"filename": "../evil.py"})
    with pytest.raises(FileNotFoundError, match="does not exist"):
        tool.invoke({"filename": "missing.py"})
    (ws.root / "notes.txt").write_text("x")
    with pytest.raises(ValueError, match="not a Python file"):
        tool.invoke({"filename": "notes.txt"})


@needs_bwrap
def test_writes_outside_the_workspace_are_refused(ws, tmp_path):
    out = run_code(ws, "open('/usr/escaped.txt', 'w').write('escaped')")
    assert "Exit code: 1." in out and "Read-only file system" in out
    # A folder beside the workspace (here under /tmp) is only a private, throwaway copy inside.
    target = tmp_path / "outside.txt"
    run_code(ws, f"open({str(target)!r}, 'w').write('escaped')")
    assert not target.exists()
    # /tmp is private to the execution: nothing lands in the real /tmp.
    run_code(ws, "open('/tmp/autogpt-sandbox-probe.txt', 'w').write('x')")
    assert not (tmp_path.parent / "autogpt-sandbox-probe.txt").exists()


@needs_bwrap
def test_secret_is_not_readable_through_proc_either(ws, monkeypatch):
    """The agent's own environment holds the key; in its PID namespace the child can't see the agent's process."""
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    code = ("import glob\nfor p in glob.glob('/proc/[0-9]*/environ'):\n"
            "    try:\n        print(p, open(p, 'rb').read())\n    except OSError as e:\n        print(p, e)")
    out = run_code(ws, code)
    assert "Exit code: 0." in out and "/proc/1/environ" in out
    assert SECRET not in out


@needs_bwrap
def test_no_privileges_to_undo_the_read_only_system(ws):
    shell = tools_for(ws, execute_local_commands=True)["execute_shell"]
    out = shell.invoke({"command_line": "grep CapEff /proc/self/status; id -u; mount -o remount,rw /usr; touch /usr/x"})
    assert "CapEff:\t0000000000000000" in out and "65534" in out
    assert "Read-only file system" in out
    assert "Exit code: 0." not in out


@needs_bwrap
def test_agent_state_folder_is_hidden(ws):
    (ws.root / ".autogpt").mkdir()
    (ws.root / ".autogpt" / "checkpoints.sqlite").write_text("precious")
    out = run_code(ws, "import os\nprint(os.listdir('.autogpt'))\nopen('.autogpt/checkpoints.sqlite','w').write('gone')")
    assert "[]" in out
    assert (ws.root / ".autogpt" / "checkpoints.sqlite").read_text() == "precious"


@needs_bwrap
def test_no_network(ws):
    # A server the host can reach on loopback; the sandbox has its own empty network namespace.
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    code = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)\nprint('CONNECTED')"
    out = run_code(ws, code)
    assert "CONNECTED" not in out and "Exit code: 1." in out
    assert "ConnectionRefusedError" in out or "Network is unreachable" in out
    assert not accepted
    out = run_code(ws, "import socket\nsocket.create_connection(('93.184.216.34', 80), timeout=2)")
    assert "Network is unreachable" in out
    server.close()


@needs_process_cap
def test_fork_bomb_is_contained(ws):
    out = run_code(ws, "import os\nwhile True:\n    os.fork()", sandbox_max_processes=16)
    assert "process" in out.lower() and "16" in out
    # The machine is fine afterwards: a normal execution still works.
    assert "Exit code: 0." in run_code(ws, "print(1)")


def test_allocating_4_gb_fails_with_a_clear_note(ws):
    out = run_code(ws, "x = bytearray(4 * 1024**3)\nprint('ALLOCATED')")
    assert "ALLOCATED" not in out
    assert "512 MB of memory" in out and "MemoryError" in out


def test_running_forever_is_stopped_by_the_time_limit(ws):
    out = run_code(ws, "while True:\n    pass", sandbox_timeout=1.5)
    assert out.startswith("Stopped: the time limit of 1.5 seconds was reached.")
    assert "killed" in out


def test_background_children_do_not_outlive_the_execution(ws):
    code = ("import subprocess, sys\n"
            "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(3); open(\"late.txt\",\"w\").write(\"x\")'])\n"
            "print('parent done')")
    out = run_code(ws, code)
    assert "parent done" in out
    import time

    time.sleep(3.5)
    assert not (ws.root / "late.txt").exists()


def test_output_is_capped(ws):
    out = run_code(ws, "print('y' * 1_000_000)", sandbox_output_chars=1000)
    assert "output cut" in out and len(out) < 3000


def test_shell_is_absent_unless_enabled(ws):
    assert "execute_shell" not in tools_for(ws)
    shell = tools_for(ws, execute_local_commands=True)["execute_shell"]
    out = shell.invoke({"command_line": "echo hello > greeting.txt && cat greeting.txt"})
    assert "hello" in out and (ws.root / "greeting.txt").read_text() == "hello\n"


def test_shell_denylist_and_allowlist(ws):
    deny = settings(execute_local_commands=True, shell_denylist="sudo,su,rm")
    assert command_names("FOO=1 ls -l | /usr/bin/sudo x; (cd a && rm -rf b)") == ["ls", "sudo", "x", "cd", "rm"]
    assert refusal("ls; sudo reboot", deny) == "Not allowed to run sudo: it is on the shell denylist."
    assert refusal("echo hi", deny) is None
    allow = settings(execute_local_commands=True, shell_command_control="allowlist", shell_allowlist="ls,cat")
    assert refusal("ls && cat a", allow) is None
    assert "only cat, ls may run" in refusal("ls | wc -l", allow)
    assert "substitution" in refusal("ls $(whoami)", allow)
    shell = tools_for(ws, execute_local_commands=True, shell_denylist="sudo")["execute_shell"]
    with pytest.raises(PermissionError, match="denylist"):
        shell.invoke({"command_line": "sudo id"})


@pytest.mark.parametrize("line", [
    "env sudo id", "$(echo su)do id", "`echo su`do id", "timeout 5 sudo id", "nice -n 5 sudo id", "X=1 env -i sudo id",
    "for i in 1; do sudo id; done", "if true; then su; fi", "echo $(sudo id)", "$SHELL -c id",
])
def test_the_denylist_looks_through_wrappers_and_refuses_built_names(line):
    """`env sudo ...` and `$(echo su)do` ran past the denylist (issue 15)."""
    deny = settings(execute_local_commands=True, shell_denylist="sudo,su")
    assert refusal(line, deny) is not None


@pytest.mark.parametrize(("line", "allowed"), [
    ("ls -l | wc -l", True), ("env ls", False), ("timeout 5 cat a.txt", True), ("timeout 5 rm a.txt", False),
    ("cat <(ls)", False), ("ls; python3 -c 'x'", False), ("ls && cat a > b.txt 2>&1", True),
])
def test_the_allowlist_checks_the_program_each_command_resolves_to(line, allowed):
    allow = settings(execute_local_commands=True, shell_command_control="allowlist", shell_allowlist="ls,cat,wc,timeout")
    assert (refusal(line, allow) is None) == allowed, refusal(line, allow)


def test_banner_names_the_active_isolation():
    line = describe_isolation(settings())
    expected = "bubblewrap" if bwrap_usable() else "resource limits only"
    assert line.startswith(f"Sandbox: {expected}") and "512 MB" in line and "shell commands off" in line
    assert describe_isolation(settings(sandbox_isolation="rlimits")).startswith("Sandbox: resource limits only")


def test_a_run_survives_hostile_code_and_completes(tmp_path, monkeypatch):
    """A scripted agent runs each hostile script in turn; every one is a result, and the run ends normally."""
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    hostile = {
        "secret.py": "import os\nprint('KEY=', os.environ.get('OPENAI_API_KEY'))",
        "escape.py": f"open({str(tmp_path / 'escaped.txt')!r}, 'w').write('x')",
        "net.py": "import socket\nsocket.create_connection(('93.184.216.34', 80), timeout=2)",
        "bomb.py": "import os\nwhile True:\n    os.fork()",
        "hog.py": "x = bytearray(4 * 1024**3)",
        "forever.py": "while True:\n    pass",
    }
    think = []
    for name, code in hostile.items():
        think += [reply("write_to_file", filename=name, text=code), reply("execute_python_file", filename=name)]
    think.append(reply("task_complete", reason="all scripts ran"))
    with AgentRunner(tmp_path / "ws", checkpointer="memory", settings=settings(sandbox_timeout=2)) as runner:
        steps, _ = start_scripted(runner, tmp_path, {"think": think}, continuous=True)
        status = runner.status(runner.thread_id)
    assert status.stop_reason == "Task complete: all scripts ran"
    results = [event_text(e) for s in steps if s.node == "execute_tool" for e in s.update["history"]
               if e["kind"] == "system" and "execute_python_file" in event_text(e)]
    assert len(results) == len(hostile)
    assert all(SECRET not in r for r in results)
    assert "KEY= None" in results[0]
    assert "time limit" in results[-1]
    assert "512 MB of memory" in results[4]
    if bwrap_usable():
        assert not (tmp_path / "escaped.txt").exists()
        assert "Network is unreachable" in results[2]


def test_limits_hold_without_bubblewrap_too(ws, monkeypatch):
    """The fallback on machines without bubblewrap: no file system or network isolation, but the
    environment, memory, time and process limits still apply."""
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    over = {"sandbox_isolation": "rlimits", "sandbox_timeout": 1.5}
    assert SECRET not in run_code(ws, "import os\nprint(os.environ)", **over)
    assert "512 MB of memory" in run_code(ws, "x = bytearray(4 * 1024**3)", **over)
    assert "time limit" in run_code(ws, "while True:\n    pass", **over)
    if process_cap_kind() != "none":
        assert "process" in run_code(ws, "import os\nwhile True:\n    os.fork()", sandbox_max_processes=16, **over)


@needs_bwrap
@pytest.mark.skipif(os.geteuid() != 0, reason="only an agent started as root can read root-only files")
def test_code_cannot_read_root_only_files_though_nobody_is_root_outside(ws):
    """Inside bubblewrap "nobody" is uid 0 outside when the agent runs as root, so root-owned 0600 files
    visible in the sandbox were readable (issue 15): /etc/shadow, a key under the Python prefix."""
    secret = Path(f"/etc/autogpt-sandbox-test-{uuid.uuid4().hex[:8]}")
    secret.write_text("TOPSECRET\n")
    secret.chmod(0o600)
    private_paths.cache_clear()
    try:
        out = run_code(ws, f"for p in ({str(secret)!r}, '/etc/shadow'):\n"
                           "    try:\n        print(p, repr(open(p).read()[:40]))\n"
                           "    except OSError as e:\n        print(p, 'refused', e.errno)\n")
    finally:
        secret.unlink()
        private_paths.cache_clear()
    assert "TOPSECRET" not in out and "root:" not in out, out
    assert str(secret) in out and "/etc/shadow" in out, out
