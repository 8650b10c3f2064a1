"""Every number in the book's prose is glued from a cell or marked as a quoted source figure.

The rule is defined in the docstring of :mod:`prose_numbers`; this module tests the scanner on
small strings and then applies it to every book page (no build needed).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from booktools import REPO, book_sources
from prose_numbers import find_unglued_numbers

FRONT = "---\nkernelspec:\n  name: python3\n  display_name: Python 3 (3.11)\n---\n"


def flagged(text: str) -> list[str]:
    return [f.number for f in find_unglued_numbers(text)]


# --------------------------------------------------------------------------------------------
# The scanner itself
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("YOLOv8-M 约 30 GFLOPs。", ["30"]),
        ("带宽为 1.5 TB/s", ["1.5"]),
        ("共 883,600 个 pillar", ["883,600"]),
        ("延迟降低 64%", ["64"]),
        ("0.5 倍", ["0.5"]),
        ("发表于 2023 年", ["2023"]),
        ("## 2.3.1 约 30 GFLOPs 的网络", ["30"]),
        ("草稿写的是 56.5，模型给出 {glue:text}`total:.1f`", ["56.5"]),
        ("前 12 层与后 3 层", ["12"]),
        ("{src}`30 GFLOPs` 与 40 GFLOPs", ["40"]),
    ],
)
def test_scanner_flags_hand_typed_numbers(text: str, expected: list[str]) -> None:
    assert flagged(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "约 {glue:text}`x` GFLOPs",
        "约 {glue:text}`yolo_gflops:.1f` GFLOPs，即 {glue:}`ratio` 倍",
        "约 {glue}`x30`，{glue:md}`tbl_12`",
        "草稿给出 {src}`30 GFLOPs`",
        "草稿给出 {src}`56.5 GFLOPs <草稿 练习 2.1>`",
        "见 Williams 等人 {src}`2009` 年的论文",
        "见第 2 章与第 21 章",
        "见 2.3 节和 2.3.4 节，以及第 2.1 节",
        "本章末尾有练习 2.1 至练习 2.8；练习 21.4 更难",
        "练习 21.1–21.8 对应 21.1–21.5 节",
        "见图 2.3、表 21.1 和式 (2.4)，§2.3.4 有推导",
        "See Chapter 21 and Exercise 2.3.",
        "fp16、int8、YOLOv8、A100、ResNet-50、Llama-2-70B、ViT-L/14 与 H100",
        "3 个阶段，2:4 稀疏，3×3 卷积，第 2 章",
        "一个公式 $AI = 2MNK / 1024$ 和 $$T = 100$$ 以及 \\(x^{10}\\)",
        "代码 `gemm(512, 768, 256)` 不算正文",
        "链接 [见此](https://example.org/2023/10.5) 与 <https://example.org/123>",
        "交叉引用 {ref}`corr-ch2-yolo-56` 与 {doc}`第 2 章 <ch02/index>`",
        "公式 {math}`P = 200`，替换 {{ n_100 }}",
        "<span title='width 100'>文本</span>",
    ],
)
def test_scanner_accepts_glued_quoted_and_references(text: str) -> None:
    assert flagged(text) == [], f"false positive in {text!r}"


def test_scanner_skips_non_prose_blocks() -> None:
    page = FRONT + "\n".join([
        "(sec-label-2023)=",
        "# 2.3 GEMM 的计算密度",
        "",
        "```{code-cell} ipython3",
        "x = 512 * 768  # 393216",
        "```",
        "",
        "```python",
        "print(3.14)",
        "```",
        "",
        "$$",
        "AI = 139.6",
        "$$",
        "",
        "```{math}",
        ":label: eq-2",
        "T = 100",
        "```",
        "",
        "\\begin{align}",
        "x &= 42",
        "\\end{align}",
        "",
        "% 作者注：草稿写 56.5",
        "<!-- 注释里的 77 -->",
        "",
        "1. 第一项",
        "10. 第十项",
        "- 列表项",
        "",
        "```{glue:figure} fig_12",
        ":name: fig-roofline-12",
        "```",
    ])
    assert find_unglued_numbers(page) == []


def test_scanner_reads_prose_directives_and_reports_line_numbers() -> None:
    page = FRONT + "\n".join([
        "正文第一行。",
        "",
        "```{admonition} 草稿勘误：总计算量 56.5 GFLOPs",
        ":class: warning",
        ":name: corr-ch2-yolo-total-12",
        "",
        "草稿把 MAC 当成 FLOP，写成了 {src}`56.5 GFLOPs`；模型给出 {glue:text}`flops:.1f` GFLOPs，约 78 GFLOPs。",
        "",
        "```python",
        "print(12345)",
        "```",
        "```",
        "",
        ":::{note}",
        "注意 15 个算子",
        ":::",
        "",
        "```{figure} images/fig_2023.png",
        ":width: 80%",
        "",
        "图注里有 64 个通道",
        "```",
    ])
    found = find_unglued_numbers(page)
    front_lines = FRONT.count("\n")
    assert [(f.line - front_lines, f.number) for f in found] == [
        (3, "56.5"),   # the admonition title is prose
        (7, "78"),     # its body is prose; the {src} and glue parts are not
        (15, "15"),    # colon-fence note body
        (21, "64"),    # figure caption; the path and :width: are not prose
    ], "\n".join(map(str, found))


def test_finding_message_names_line_and_context() -> None:
    (f,) = find_unglued_numbers("第一行\n算力约 30 TOPS")
    assert f.line == 2 and f.number == "30"
    assert "line 2" in str(f) and "30 TOPS" in str(f)


# --------------------------------------------------------------------------------------------
# The book
# --------------------------------------------------------------------------------------------

SOURCES = book_sources()


def test_book_has_sources() -> None:
    assert SOURCES, "no book pages found under book/"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(Path(p).relative_to(REPO)))
def test_book_prose_numbers_are_glued_or_quoted(path: Path) -> None:
    found = find_unglued_numbers(path.read_text(encoding="utf-8"))
    assert not found, (
        f"{path.relative_to(REPO)} has hand-typed numbers in its prose. Glue a computed value "
        "({glue:text}`key:fmt`) or mark a quoted source figure ({src}`value <where>`); "
        "see book/AUTHORING.md:\n  " + "\n  ".join(map(str, found))
    )
