"""Keep a graded notebook small however much a submission prints.

nbgrader's ``LimitOutput`` caps the number of lines of each output, not their length: one
5 MB line passes through into the gradebook's notebook and the feedback page.
:class:`TruncateOutput` caps the characters of each text output as well.
"""

from __future__ import annotations

from typing import Any

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

NOTE = "\n… [输出过长，已截断 / output truncated]\n"


class TruncateOutput(NbGraderPreprocessor):
    """Truncate every stream and text output of a code cell to ``max_chars`` characters."""

    max_chars = Integer(20_000, help="maximum characters kept per output").tag(config=True)

    def preprocess_cell(self, cell: Any, resources: Any, index: int) -> tuple[Any, Any]:
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream" and len(out.get("text", "")) > self.max_chars:
                    out["text"] = out["text"][: self.max_chars] + NOTE
                data = out.get("data", {})
                text = data.get("text/plain")
                if isinstance(text, str) and len(text) > self.max_chars:
                    data["text/plain"] = text[: self.max_chars] + NOTE
        return cell, resources


#: nbgrader 0.9's autograde pipeline with :class:`TruncateOutput` after ``LimitOutput``.
AUTOGRADE_PREPROCESSORS = [
    "nbgrader.preprocessors.Execute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "npucourse.grading.limits.TruncateOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
