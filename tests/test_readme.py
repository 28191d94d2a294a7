"""The README's Python example runs, and prints what its comments say it prints."""

from __future__ import annotations

import contextlib
import io
import re
import shutil

from conftest import ROOT


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def expected_prints(code: str) -> list[str]:
    """The comment after each `print(...)` line is the line it prints."""
    return [m.group(1).strip() for m in re.finditer(r"^print\(.*?\)[ \t]+#[ \t]*(.+)$", code, flags=re.M)]


def test_readme_python_example(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert blocks, "the README has no Python example"
    for code in blocks:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
        assert printed.getvalue().splitlines() == expected_prints(code)
    assert (tmp_path / "demo.wav").is_file()
