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

`FeedbackExporter` writes the same page for less: nbconvert's HTML exporter parses every page
it has rendered again with BeautifulSoup (html.parser) to add alt text to images and a
tabindex to lab-template cells, which costs about as much as rendering it; here those two
edits are made on the rendered text, and the compiled templates are kept between pages.
`course grade` uses it (`GenerateFeedback.exporter_class`).
"""

from __future__ import annotations

import html
import re

from jinja2 import BytecodeCache
from nbconvert.exporters import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
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


class _CompiledTemplates(BytecodeCache):
    """Compiled templates kept in memory for the life of the process (one grading worker)."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


_IMAGE_WITHOUT_ALT = re.compile(r"<img(?![^>]*\balt=)")
_FOCUSABLE = re.compile(
    r'(<div class="[^"]*\b(?:jp-Cell-inputWrapper|jp-OutputArea-output)\b[^"]*")'
)


class FeedbackExporter(HTMLExporter):
    """nbconvert's HTMLExporter, with its accessibility edits made on the text (lesson pages of
    a class are rendered by the hundred) and its templates compiled once per process."""

    compiled = _CompiledTemplates()

    def _create_environment(self):
        environment = super()._create_environment()
        environment.bytecode_cache = self.compiled
        return environment

    def from_notebook_node(self, nb, resources=None, **kw):
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        highlight = self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
        )
        resources = self._init_resources(resources)
        data_types = WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources
        )
        self.register_filter("highlight_code", highlight)
        self.register_filter("filter_data_type", data_types)
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        alt = '<img alt="No description has been provided for this image"'
        page = _IMAGE_WITHOUT_ALT.sub(alt, page)
        page = _FOCUSABLE.sub(r'\1 tabindex="0"', page)
        return page, resources


def visible_text(feedback_html: str) -> list[str]:
    """The lines a reader of a feedback page sees: tags removed, entities decoded, stripped."""
    without_scripts = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", feedback_html)
    text = html.unescape(re.sub(r"<[^>]+>", "", without_scripts))
    return [line.strip() for line in text.split("\n") if line.strip()]
