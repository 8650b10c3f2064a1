"""Unit tests of the book's Sphinx extension ``book/_ext/npucourse_roles.py`` (no build needed)."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest
from booktools import REPO
from docutils import nodes


def _load() -> ModuleType:
    path = REPO / "book" / "_ext" / "npucourse_roles.py"
    spec = importlib.util.spec_from_file_location("npucourse_roles", path)
    assert spec and spec.loader, f"cannot load {path}"
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("npucourse_roles", mod)
    spec.loader.exec_module(mod)
    return mod


roles = _load()


@pytest.mark.parametrize(
    "text, shown, where",
    [
        ("62 Hz", "62 Hz", ""),
        ("56.5 GFLOPs <草稿 练习 2.1>", "56.5 GFLOPs", "草稿 练习 2.1"),
        ("  2009  ", "2009", ""),
        ("<only a source>", "<only a source>", ""),
    ],
)
def test_src_split_where(text: str, shown: str, where: str) -> None:
    assert roles.split_where(text) == (shown, where)


class _Transform(roles.JoinCJKLines):
    def __init__(self, document: nodes.Node) -> None:  # no Sphinx environment needed
        self.document = document


def _joined(*children: nodes.Node) -> str:
    para = nodes.paragraph()
    for c in children:
        para += c
    _Transform(para).apply()
    return para.astext()


def test_join_inside_one_text_node() -> None:
    assert _joined(nodes.Text("每一页都\n是一个笔记本，\n  每一个数字")) == "每一页都是一个笔记本，每一个数字"


def test_break_next_to_latin_stays() -> None:
    assert _joined(nodes.Text("Python 包\nnpucourse 计算\n2 章")) == "Python 包\nnpucourse 计算\n2 章"


def test_soft_break_nodes_between_inline_markup() -> None:
    # MyST emits each soft break as its own Text("\n"); equal nodes must not be confused.
    text = _joined(nodes.Text("英文"), nodes.Text("\n"), nodes.Text("abc"), nodes.Text("\n"),
                   nodes.strong("", "中文"), nodes.Text("\n"), nodes.Text("继续"))
    assert text == "英文\nabc\n中文继续"


def test_code_and_math_untouched() -> None:
    para = nodes.paragraph()
    para += nodes.literal("", "代码\n不动")
    para += nodes.math("", "公式\n不动")
    _Transform(para).apply()
    assert para.astext() == "代码\n不动公式\n不动"
