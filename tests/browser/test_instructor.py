"""An instructor in JupyterLab: nbgrader's assignment list and formgrader list the course.

The released lessons are put in a scratch nbgrader exchange (as `nbgrader
release_assignment` does), then the Nbgrader menu's two views are opened in the page:
the assignment list must show every released lesson, and formgrader every lesson of
solutions/.
"""

from __future__ import annotations

import pytest

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
