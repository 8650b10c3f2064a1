"""Sphinx extension with the book's own MyST roles and a CJK line-joining transform.

Registered in ``_config.yml`` under ``sphinx: local_extensions: {npucourse_roles: book/_ext}``.

``{src}`` — a figure quoted from a source
-----------------------------------------
The book's rule is that every number a model produces is glued from a cell (myst-nb ``glue``).
Numbers that are *quoted* instead — a figure printed in the draft, a datasheet, a paper, a year
in a citation — are marked with the ``{src}`` role so that readers see they are quotations and the
prose scanner in ``tests/book/test_glued_numbers.py`` lets them through::

    草稿给出的总计算量为 {src}`56.5 GFLOPs`。
    草稿给出的总计算量为 {src}`56.5 GFLOPs <草稿 练习 2.1 参考答案>`。

The text is rendered verbatim (no nested markup) in a ``<span class="quoted-figure">`` whose
``title`` attribute reads "quoted from the source" (followed by ``: <where>`` when the optional
trailing ``<where>`` part is given). Non-HTML builders get the plain text.

Joining Chinese lines
---------------------
Markdown turns a line break inside a paragraph into a space, which shows as a gap between two
Chinese characters. :class:`JoinCJKLines` removes a line break (and the indentation around it)
when the characters on both sides are CJK characters or CJK punctuation, so authors may wrap
long Chinese paragraphs in the source. Breaks next to Latin letters or digits stay spaces.
Code, literal blocks, math and raw HTML are left alone.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst.states import Inliner
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util.docutils import SphinxTranslator

__all__ = ["quoted_figure", "src_role", "split_where", "join_cjk_lines", "JoinCJKLines", "setup"]

TITLE = "quoted from the source"
CSS_CLASS = "quoted-figure"
_WHERE = re.compile(r"^(?P<text>.*?)\s*<(?P<where>[^<>]+)>\s*$", re.DOTALL)


class quoted_figure(nodes.inline):  # noqa: N801 (docutils node naming convention)
    """Inline node for a quoted source figure; ``node["where"]`` names the source (may be empty)."""


def split_where(text: str) -> tuple[str, str]:
    """Split ``"62 Hz <draft 21.3>"`` into ``("62 Hz", "draft 21.3")``.

    Parameters
    ----------
    text : str
        The role content, already unescaped.

    Returns
    -------
    tuple of str
        The figure as shown, and where it was quoted from (``""`` when not given).
    """
    m = _WHERE.match(text)
    if m and m.group("text").strip():
        return m.group("text").strip(), m.group("where").strip()
    return text.strip(), ""


def src_role(
    name: str,
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Inliner,
    options: dict[str, Any] | None = None,
    content: list[str] | None = None,
) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """Docutils role function for ``{src}`` (see the module docstring)."""
    shown, where = split_where(text)
    if not shown:
        msg = inliner.reporter.error(f"{{src}} role needs some text, got {rawtext!r}", line=lineno)
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    node = quoted_figure(rawtext, shown, classes=[CSS_CLASS])
    node["where"] = where
    return [node], []


# CJK ideographs (incl. extension A and compatibility), CJK symbols and punctuation, full-width
# forms, and the punctuation Chinese text borrows from general punctuation (—— … “ ” ‘ ’ ·).
CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u2014\u2026\u2018\u2019\u201c\u201d\u00b7"
_CJK_BREAK = re.compile(rf"(?<=[{CJK}])[ \t]*\n[ \t]*(?=[{CJK}])")
_CJK_END = re.compile(rf"[{CJK}]$")
_CJK_START = re.compile(rf"^[{CJK}]")
_SKIP = (nodes.literal, nodes.literal_block, nodes.math, nodes.math_block, nodes.raw, nodes.comment)


def join_cjk_lines(text: str) -> str:
    r"""Remove line breaks that sit between two CJK characters.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        ``text`` with every ``CJK \n CJK`` break (plus surrounding spaces or tabs) removed.

    Examples
    --------
    >>> join_cjk_lines("每一页都\n是一个笔记本")
    '每一页都是一个笔记本'
    >>> join_cjk_lines("Python 包\nnpucourse")
    'Python 包\nnpucourse'
    """
    return _CJK_BREAK.sub("", text)


class JoinCJKLines(SphinxTransform):
    """Drop soft line breaks between CJK characters in prose text nodes (see module docstring)."""

    default_priority = 800

    def apply(self, **kwargs: Any) -> None:
        """Rewrite every prose text node of the document in place."""
        for node in list(self.document.findall(nodes.Text)):
            parent = node.parent
            if parent is None or any(isinstance(a, _SKIP) for a in _ancestors(node)):
                continue
            i = _index(parent, node)
            text = str(node)
            if "\n" in text and not text.strip():
                # MyST emits a soft line break as its own Text("\n") node.
                if _CJK_END.search(_sibling_text(parent, i - 1)) and _CJK_START.search(_sibling_text(parent, i + 1)):
                    parent[i] = nodes.Text("")
                continue
            new = join_cjk_lines(text)
            # A break at the very start or end of the node, next to CJK in the sibling node.
            if new.startswith("\n") and _CJK_START.search(new.lstrip()) and _CJK_END.search(_sibling_text(parent, i - 1)):
                new = new.lstrip()
            if new.endswith("\n") and _CJK_END.search(new.rstrip()) and _CJK_START.search(_sibling_text(parent, i + 1)):
                new = new.rstrip()
            if new != text:
                parent[i] = nodes.Text(new)


def _index(parent: nodes.Element, node: nodes.Node) -> int:
    """Position of ``node`` among its parent's children, by identity.

    ``Element.index`` compares by equality, and docutils Text nodes are strings: two ``"\n"``
    nodes of one paragraph are equal, so it would find the wrong one.
    """
    return next(k for k, child in enumerate(parent.children) if child is node)


def _ancestors(node: nodes.Node) -> list[nodes.Node]:
    out = []
    p = node.parent
    while p is not None:
        out.append(p)
        p = p.parent
    return out


def _sibling_text(parent: nodes.Element, i: int) -> str:
    """Text of ``parent``'s child ``i``; ``""`` when out of range or code/math."""
    if 0 <= i < len(parent.children):
        sib = parent.children[i]
        return "" if isinstance(sib, _SKIP) else sib.astext()
    return ""


def _visit_html(self: SphinxTranslator, node: quoted_figure) -> None:
    title = TITLE + (f": {node['where']}" if node.get("where") else "")
    # starttag adds the node's classes itself; title is escaped by starttag.
    self.body.append(self.starttag(node, "span", "", title=title))


def _depart_html(self: SphinxTranslator, node: quoted_figure) -> None:
    self.body.append("</span>")


def _visit_plain(self: SphinxTranslator, node: quoted_figure) -> None:
    """Other builders: render the children (the text) like a plain inline."""


def _depart_plain(self: SphinxTranslator, node: quoted_figure) -> None:
    pass


def _add_static(app: Sphinx) -> None:
    static = str(Path(__file__).with_name("static"))
    if static not in app.config.html_static_path:
        app.config.html_static_path.append(static)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``{src}`` role, its node and its stylesheet."""
    plain = (_visit_plain, _depart_plain)
    app.add_node(
        quoted_figure,
        html=(_visit_html, _depart_html),
        latex=plain,
        text=plain,
        man=plain,
        texinfo=plain,
    )
    app.add_role("src", src_role)
    app.add_transform(JoinCJKLines)
    app.connect("builder-inited", _add_static)
    app.add_css_file("npucourse_roles.css")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
