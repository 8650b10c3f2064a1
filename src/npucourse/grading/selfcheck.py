"""Check a student's notebook with its visible tests and say clearly what failed.

    python -m npucourse.grading.selfcheck exercises/ex2_3/ex2_3.ipynb     (or: make check NB=...)

Unlike ``nbgrader validate`` (which exits 0 even when tests fail), this exits 1 when any test
cell fails or errors, 2 when the notebook cannot be run, and 0 when every visible test passes.
Hidden tests are not in the student's copy; passing here is necessary, not sufficient.
"""

from __future__ import annotations

import sys
from pathlib import Path


def check(path: str | Path, timeout: int = 60) -> dict:
    """Run the notebook's visible tests; returns nbgrader's validation result dict."""
    from nbgrader.validator import Validator
    from traitlets.config import Config

    c = Config()
    c.Execute.timeout = timeout
    return Validator(config=c).validate(str(path))


def _plain(html_text: str) -> str:
    """nbgrader reports errors as HTML with ANSI spans; show plain text."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip())
        return 2
    path = Path(argv[0])
    if not path.is_file():
        print(f"找不到笔记本：{path}")
        return 2
    try:
        result = check(path)
    except Exception as e:  # kernel could not start, invalid notebook...
        print(f"无法运行 {path}：{type(e).__name__}: {e}")
        return 2
    failed = result.get("failed", []) + result.get("changed", [])
    if not failed:
        print(f"{path}：所有可见测试都通过了。提交后还会用隐藏测试（随机输入）评分。")
        return 0
    print(f"{path}：{len(failed)} 个测试单元格未通过：")
    for cell in failed:
        src = cell.get("source", "").strip().splitlines()
        first = next((ln for ln in src if ln.strip() and not ln.startswith(("import importlib", "_h ="))), "")
        err = _plain(cell.get("error") or "").strip().splitlines()
        print(f"  - {first[:80]}")
        if err:
            print(f"    {err[-1][:200]}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
