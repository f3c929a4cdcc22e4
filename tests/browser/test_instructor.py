"""An instructor in JupyterLab: nbgrader's assignment list and formgrader list the course.

The released lessons are put in a scratch nbgrader exchange (as `nbgrader
release_assignment` does), then the Nbgrader menu's two views are opened in the page:
the assignment list must show every released lesson, and formgrader every lesson of
solutions/. `course report`'s page opens offline in the same browser.
"""

from __future__ import annotations

import pytest

from course_tools.grading import report
from course_tools.release import lesson_ids

pytestmark = pytest.mark.browser


def test_assignment_list_shows_the_released_lessons(lab, exchange, screenshots):
    assert exchange, "no lesson is released in notebooks/"
    lab.ensure_loaded()
    lab.command("nbgrader:open-assignment-list")
    released = lab.page.locator("#released_assignments_list")
    for lesson in exchange:
        released.get_by_text(lesson, exact=True).wait_for(timeout=60_000)
    lab.page.screenshot(path=str(screenshots / "nbgrader-assignment-list.png"))


def test_formgrader_lists_every_lesson(lab, lab_server, screenshots):
    lessons = lesson_ids(lab_server.course_root)  # the course as the server has it
    assert lessons, "no lesson in solutions/"
    lab.ensure_loaded()
    lab.command("nbgrader:open-formgrader")
    frame = lab.page.frame_locator("iframe").first
    for lesson in lessons:
        frame.get_by_text(lesson, exact=True).first.wait_for(timeout=60_000)
    lab.page.screenshot(path=str(screenshots / "nbgrader-formgrader.png"))


def test_the_class_report_reads_offline_in_chromium(browser, tmp_path):
    """`course report`'s page: every figure decoded and at most 900 px wide, nothing
    fetched from outside, and the tables say what the synthetic class did."""
    from test_report import LESSON, NAN, graded_tests, release, write_graded

    graded = tmp_path / "graded"
    write_graded(graded)
    path = report.write_report(LESSON, graded)
    page = browser.new_page()
    try:
        requests = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        sizes = page.eval_on_selector_all(
            "img", "els => els.map(e => [e.id, e.naturalWidth, e.complete])"
        )
        assert sorted(s[0] for s in sizes) == [
            "figure-failures",
            "figure-scores",
            "figure-times",
        ]
        assert all(0 < width <= 900 and done for _, width, done in sizes)
        assert all(not url.startswith(("http:", "https:")) for url in requests)
        rows = page.locator("#test-failures tbody tr")
        assert rows.count() == len(graded_tests(release()))
        assert "test_softmax_large_values" in rows.all_inner_texts()[2]
        lead = page.locator("#most-common").inner_text()
        assert NAN in lead and "3 of 6" in lead
        flagged = page.locator("#flagged tbody").inner_text()
        assert "fay" in flagged and "errored" in flagged
        assert "eve" in flagged and "suspicious" in flagged
        assert page.locator("#slowest tbody tr").first.inner_text().startswith("dan")
    finally:
        page.close()
