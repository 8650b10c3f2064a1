"""The search index holds Chinese words (segmented by jieba) for every page of the book.

Without ``jieba`` Sphinx's Chinese splitter silently indexes no Chinese words (TOOLCHAIN.md
trap 5). The expected words are derived from each source page's headings: the CJK runs of all
its headings, cut with ``jieba.cut_for_search`` (as Sphinx does), keeping words of two or more
CJK characters; at least one of them must be indexed for that page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from booktools import CJK_CHAR, CJK_WORD, load_searchindex, source_headings, source_of, toc_docnames

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]

DOCNAMES = toc_docnames()


def heading_words(docname: str) -> set[str]:
    """Chinese words (2+ CJK characters) jieba finds in the headings of a page's source."""
    import jieba

    words: set[str] = set()
    for heading in source_headings(source_of(docname)):
        for run in re.findall(rf"{CJK_CHAR.pattern}+", heading):
            words.update(w for w in jieba.cut_for_search(run) if CJK_WORD.match(w))
    return words


def docs_of(entry: int | list[int]) -> set[int]:
    return {entry} if isinstance(entry, int) else set(entry)


@pytest.fixture(scope="module")
def index(book_html: Path) -> dict:
    return load_searchindex(book_html)


def test_index_is_chinese(index: dict) -> None:
    cjk_terms = [t for t in index["terms"] if CJK_CHAR.search(t)]
    assert len(cjk_terms) >= 20, (
        f"the search index has only {len(cjk_terms)} Chinese terms: is jieba installed and "
        "`language: zh_CN` set under sphinx: config: in _config.yml?"
    )


def test_index_lists_every_toc_page(index: dict) -> None:
    missing = [d for d in DOCNAMES if d not in index["docnames"]]
    assert not missing, f"pages missing from the search index: {missing}"


@pytest.mark.parametrize("docname", DOCNAMES)
def test_page_heading_words_are_searchable(index: dict, docname: str) -> None:
    expected = heading_words(docname)
    assert expected, f"{docname}: no Chinese words in its headings {source_headings(source_of(docname))}"
    doc = index["docnames"].index(docname)
    found = {
        w for w in expected
        for table in ("terms", "titleterms")
        if w in index[table] and doc in docs_of(index[table][w])
    }
    assert found, (
        f"{docname}: none of its heading words {sorted(expected)} is indexed for the page "
        "(Chinese segmentation by jieba is not working)"
    )
