"""Every ```python block of the documentation runs, so the docs cannot rot.

Each page (docs/*.md, docs/vi/*.md and the README's Quick start) runs its blocks in order, in
one namespace, in a fresh Python process whose working directory is a temporary folder. The
process first hides the real Keras (the test venv has Keras as a parity reference), so the
pages run as for a user who installed only hocsau. (TensorFlow is not hidden: torch's dynamo
probes it with find_spec, which must not raise; it is not installed in the test venv.)
A block preceded by an HTML comment `<!-- skip-test: reason -->` is not run (blocks needing
onnxruntime, torchrun, the real Keras, ...). A translation (docs/vi/) must keep its original's
code block for block; one that does is not run a second time, as its original's run covers it.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import hocsau

_ROOT = Path(__file__).resolve().parents[1]
_SRC = str(Path(hocsau.__file__).resolve().parents[1])
_BLOCK = re.compile(r"(<!--\s*skip-test\b[^>]*-->\s*\n)?```python\n(.*?)\n```", re.S)

_RUNNER = r"""
import importlib.abc, json, sys, traceback
class _NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "keras":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, _NotInstalled())
page, blocks = json.load(open(sys.argv[1], encoding="utf-8"))
namespace = {"__name__": "__main__"}
for number, source in blocks:
    try:
        exec(compile(source, f"{page} (python block {number})", "exec"), namespace)
    except BaseException:
        print(f"FAILED: {page}, python block {number}", file=sys.stderr)
        traceback.print_exc()
        sys.exit(1)
"""


def python_blocks(text: str) -> list[tuple[int, str]]:
    """The page's ```python blocks as (1-based number, source), skip-marked ones left out."""
    return [(number, match.group(2)) for number, match in enumerate(_BLOCK.finditer(text), 1)
            if match.group(1) is None]


def _pages() -> dict[str, list[tuple[int, str]]]:
    pages = {str(path.relative_to(_ROOT)): python_blocks(path.read_text(encoding="utf-8"))
             for path in sorted([*_ROOT.glob("docs/*.md"), *_ROOT.glob("docs/vi/*.md")])}
    readme = (_ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    pages["README.md (Quick start)"] = python_blocks(quick_start)
    return {page: blocks for page, blocks in pages.items() if blocks}


_PAGES = _pages()
_TRANSLATIONS = {"docs/vi/README.md": "README.md (Quick start)",
                 **{f"docs/vi/{path.name}": f"docs/{path.name}"
                    for path in sorted((_ROOT / "docs" / "vi").glob("*.md"))
                    if path.name != "README.md"}}


def _sources(page: str) -> list[str]:
    return [source for _, source in _PAGES.get(page, [])]


_RUN = sorted(page for page in _PAGES if page not in _TRANSLATIONS
              or _sources(page) != _sources(_TRANSLATIONS[page]))


def test_the_documented_pages_have_code():
    areas = ("models", "training", "data", "saving", "distributed", "export", "diagnostics")
    assert {"docs/getting_started.md", "docs/migration.md", "docs/vi/getting_started.md",
            "docs/vi/README.md", "README.md (Quick start)",
            *(f"docs/{area}.md" for area in areas)} <= set(_PAGES)


def test_skip_marker_leaves_out_only_its_block():
    text = ("```python\na = 1\n```\n<!-- skip-test: needs x -->\n"
            "```python\nb\n```\n```python\nc\n```")
    assert python_blocks(text) == [(1, "a = 1"), (3, "c")]


def _run_page(page: str, blocks: list[tuple[int, str]], folder: Path):
    (folder / "blocks.json").write_text(json.dumps([page, blocks]), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=_SRC, OMP_NUM_THREADS="1", HOCSAU_DEVICE="cpu",
               MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-c", _RUNNER, str(folder / "blocks.json")],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("page", _RUN)
def test_page_blocks_run(page, tmp_path):
    result = _run_page(page, _PAGES[page], tmp_path)
    assert result.returncode == 0, result.stderr[-4000:]


def test_a_failing_block_is_named_with_its_page_and_number(tmp_path):
    blocks = python_blocks("```python\nvalue = 1\n```\n```python\nprint(value + missing)\n```")
    result = _run_page("docs/example.md", blocks, tmp_path)
    assert result.returncode == 1
    assert "FAILED: docs/example.md, python block 2" in result.stderr
    assert "NameError: name 'missing' is not defined" in result.stderr
    assert 'File "docs/example.md (python block 2)", line 1' in result.stderr


@pytest.mark.parametrize("translation, original", sorted(_TRANSLATIONS.items()))
def test_translations_keep_the_original_code(translation, original):
    """A Vietnamese page runs the same code, block for block, as its English original."""
    assert _sources(translation) == _sources(original)
