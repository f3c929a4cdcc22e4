"""Feedback that teaches without giving away (instructors; used by nbgrader's generate_feedback).

nbgrader's feedback is the graded notebook as HTML: every test cell with its hidden tests
restored, and the tracebacks of failed checks, which quote the hidden line that failed. A
student who reads that learns the hidden tests, and the next year's class reads them too.
`HideTestSource` runs before the HTML is written and leaves, for each test cell:

- its visible part only (the hidden-test region removed, as in the student's release);
- for a failed check, the error's name and message (which name the behaviour tested and the
  hint), without the traceback's quoted lines.

The score of each test cell and the student's own code are shown as nbgrader shows them.
Set in nbgrader_config.py (`GenerateFeedback.preprocessors`), so `course grade` and a plain
`nbgrader generate_feedback` both use it.
"""

from __future__ import annotations

import html
import re

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades, NbGraderPreprocessor


def is_test_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return (
        cell.cell_type == "code"
        and bool(meta.get("grade"))
        and not meta.get("solution")
    )


class HideTestSource(NbGraderPreprocessor):
    """Strip hidden tests and quoted test lines from a graded notebook before it becomes feedback."""

    def preprocess_cell(self, cell, resources, index):
        if not is_test_cell(cell):
            return cell, resources
        ClearHiddenTests(enforce_metadata=False)._remove_hidden_test_region(cell)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                # The frames quote the test's lines, hidden ones included: keep the message.
                output["traceback"] = [
                    f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
                ]
        return cell, resources


FEEDBACK_PREPROCESSORS = [HideTestSource, GetGrades, CSSHTMLHeaderPreprocessor]


def visible_text(feedback_html: str) -> list[str]:
    """The lines a reader of a feedback page sees: tags removed, entities decoded, stripped."""
    without_scripts = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", feedback_html)
    text = html.unescape(re.sub(r"<[^>]+>", "", without_scripts))
    return [line.strip() for line in text.split("\n") if line.strip()]
