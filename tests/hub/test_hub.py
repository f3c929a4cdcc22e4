"""The course on a real JupyterHub: a whole class round, driven in Chromium.

As root, the test makes an instructor and two students as system users (named
hubdriver.PREFIX-*, removed afterwards, also on failure), starts the hub of
deploy/jupyterhub/ on a loopback port and opens one browser per person:

1. the instructor logs in and releases lesson 00 (`nbgrader release_assignment`, in a
   notebook cell of their own server);
2. each student logs in, fetches lesson 00 in the Assignment List, types the lesson's
   solutions into the exercise cells (the second student a wrong softmax), saves,
   validates and submits; the formgrader is in the instructor's menu and server and in
   neither student's;
3. the instructor runs deploy/jupyterhub/return_feedback.py (nbgrader collect,
   `course grade`, nbgrader release_feedback) in a notebook cell;
4. each student fetches their feedback and opens it: their own score, as `course
   grade` recorded it, and nothing of the other student's.

Then, as the students' own uids: no student reads another's home, the instructor's
course folder (solutions/, grades) or the exchange's inbound and feedback folders; the
released lesson they can. Where the machine cannot
do this (not root, no Chromium, no proxy) the test is skipped, except under CI=true.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from browser.labdriver import (
    CHROMIUM_ARGS,
    LAB_SETTINGS,
    VIEWPORT,
    LabPage,
    find_chromium,
    free_port,
)
from browser.test_student import EXERCISES, solution_sources
from conftest import record_time

from hub.hubdriver import (
    START_HUB,
    Hub,
    user_exists,
)

pytestmark = pytest.mark.hub

# The lightest lesson with both kinds of answer (code, and written ones graded by hand):
# the round tests the hub, not the lesson, and lesson 02 took 19 s longer.
LESSON = "00_orientation"
WRONG = EXERCISES[LESSON]
RETURN_FEEDBACK = START_HUB.parent / "return_feedback.py"


FILE_BROWSER_PATH_IN_FEEDBACK = """() => new Promise(resolve => {
  const poll = () => {
    const browser = Array.from(window.jupyterapp.shell.widgets('left'))
      .find(w => w.id === 'filebrowser');
    const path = browser && browser.model.path;
    if (path && path.includes('feedback/')) resolve(path); else setTimeout(poll, 100);
  };
  poll();
})"""


class Person:
    """One person's browser (own cookies) on their own JupyterLab."""

    def __init__(self, browser, hub: Hub, name: str, password: str):
        self.name = name
        self.password = password
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.set_default_timeout(90_000)
        self.page = self.context.new_page()
        self.url = f"{hub.url}/user/{name}"
        self.hub = hub
        self.lab = LabPage(self.page, self, timeout_ms=150_000)

    def log_in(self) -> None:
        """Submit the hub's login form; the hub then starts this person's server."""
        self.page.goto(f"{self.hub.url}/hub/login")
        self.page.fill("#username_input", self.name)
        self.page.fill("#password_input", self.password)
        self.page.click("#login_submit", no_wait_after=True)

    def wait_for_lab(self) -> None:
        self.page.wait_for_url(
            re.compile(rf"/user/{re.escape(self.name)}/"), timeout=150_000
        )
        self.lab.load()

    def new_notebook(self) -> str:
        """File > New > Notebook, with the course's Python kernel."""
        path = self.page.evaluate(
            "() => window.jupyterapp.commands.execute('notebook:create-new', "
            "{kernelName: 'python3', cwd: ''})"
            ".then(w => w.context.ready.then(() => w.context.path))"
        )
        self.lab.open(path)
        return path

    def run_code(self, code: str) -> dict:
        """Type `code` into the first cell of the open notebook and run it."""
        self.lab.cells()
        self.lab.type_into(0, code)
        cell = self.lab.run_cell(0)
        text = "\n".join(
            (out.get("text") or "") + (out.get("traceback") or "")
            for out in cell["outputs"]
        )
        errors = [out for out in cell["outputs"] if out["type"] == "error"]
        assert not errors, f"{self.name}'s cell failed:\n{text[-4000:]}"
        return cell | {"all_text": text}

    def assignment_row(self, list_id: str):
        return self.page.locator(
            f"#{list_id} .list_item:not(.nested_list_item)"
        ).filter(has_text=LESSON)

    def close(self) -> None:
        self.context.close()


def instructor_cell(*command: str) -> str:
    arguments = ", ".join(repr(part) for part in command)
    return (
        "import subprocess, sys\n"
        f"result = subprocess.run([sys.executable, {arguments}],\n"
        "                        capture_output=True, text=True)\n"
        "print(result.stdout[-3000:], result.stderr[-3000:])\n"
        "assert result.returncode == 0, result.returncode\n"
    )


def as_user(name: str, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", name, "--", *command], capture_output=True, text=True, cwd="/"
    )


def student_works(student: Person, wrong: bool) -> None:
    """Fetch the lesson, answer every exercise, save and press Validate."""
    lab = student.lab
    lab.command("nbgrader:open-assignment-list")
    row = student.assignment_row("released_assignments_list")
    row.get_by_role("button", name="Fetch").click()
    student.assignment_row("fetched_assignments_list").wait_for()
    lab.open(f"{LESSON}/{LESSON}.ipynb")
    answers = solution_sources(LESSON)
    if wrong:
        grade_id = next(
            key for key, text in answers.items() if f"def {WRONG.function}(" in text
        )
        answers[grade_id] = WRONG.wrong
    for cell in lab.cells():
        grade_id = cell["nbgrader"].get("grade_id")
        if cell["type"] == "code" and cell["nbgrader"].get("solution"):
            lab.type_into(cell["index"], answers[grade_id])
    lab.command("docmanager:save")
    student.page.locator(".validate-button").first.click()


def student_submits(student: Person) -> str:
    """Read the validation's verdict, close it, submit; returns the verdict."""
    dialog = student.page.locator(".jp-Dialog")
    dialog.locator("#validation-message").wait_for(timeout=150_000)
    verdict = dialog.locator("#validation-message").inner_text()
    dialog.locator(".jp-Dialog-button").last.click()
    student.lab.command("nbgrader:open-assignment-list")
    fetched = student.assignment_row("fetched_assignments_list")
    fetched.get_by_role("button", name="Submit").click()
    student.assignment_row("submitted_assignments_list").first.wait_for()
    return verdict


# The round stops by itself: every wait in the page has its own limit, and pytest-timeout
# ends the test (the fixture then removes the users and their processes) past this.
@pytest.mark.timeout(600)
def test_a_class_round_on_the_hub(machine, tmp_path):
    in_own_thread(lambda: class_round(machine, tmp_path))


def in_own_thread(work):
    """Run `work` in a thread of its own and hand back its result or its exception.

    Playwright's sync API refuses a thread whose asyncio loop is running, and the browser
    tests keep one running in the main thread of each test process for the whole session;
    the round may share that process with them.
    """
    outcome: dict = {}

    def target():
        try:
            outcome["value"] = work()
        except BaseException as error:  # handed back to the test
            outcome["error"] = error

    thread = threading.Thread(target=target, name="hub-round", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def class_round(machine, tmp_path):
    from playwright.sync_api import sync_playwright

    root, users, python = machine
    instructor = users.add("inst")
    students = [users.add("s1"), users.add("s2")]
    settings = root / "lab-settings"
    for name, values in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    for path in [settings, *settings.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    hub = Hub(
        [
            f"--root={root / 'hub'}",
            f"--instructor={instructor}",
            f"--students={','.join(students)}",
            f"--python={python}",
            "--server-arg=--LabApp.expose_app_in_browser=True",
            f"--server-arg=--LabApp.user_settings_dir={settings}",
            "--server-arg=--LabApp.extension_manager=readonly",
        ],
        tmp_path / "hub.log",
        free_port(),
    )
    start = time.perf_counter()
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS
    )
    people: list[Person] = []
    try:
        hub.start()
        phases = {"hub started": time.perf_counter()}
        # Everyone logs in at once: the hub starts the three servers side by side.
        teacher = Person(browser, hub, instructor, users.passwords[instructor])
        pupils = [
            Person(browser, hub, name, users.passwords[name]) for name in students
        ]
        people += [teacher, *pupils]
        for person in people:
            person.log_in()
        teacher.wait_for_lab()
        teacher.new_notebook()
        teacher.run_code(
            instructor_cell("-m", "nbgrader", "release_assignment", LESSON)
        )
        phases["released"] = time.perf_counter()

        # Each validation runs on the student's server while the next student works.
        for index, student in enumerate(pupils):
            student.wait_for_lab()
            student_works(student, wrong=index == 1)
        verdicts = {student.name: student_submits(student) for student in pupils}
        phases["students work"] = time.perf_counter()
        # The formgrader is the instructor's alone: in the menu and on the server.
        has_formgrader = (
            "() => window.jupyterapp.commands.hasCommand('nbgrader:open-formgrader')"
        )
        assert teacher.page.evaluate(has_formgrader)
        assert teacher.page.request.get(f"{teacher.url}/formgrader").status == 200
        for student in pupils:
            assert not student.page.evaluate(has_formgrader), student.name
            answer = student.page.request.get(f"{student.url}/formgrader")
            assert answer.status == 404, (student.name, answer.status)
        # Validation runs the notebook: the written answers are still open (graded by
        # hand), and only the wrong student's code fails, with a message naming why.
        for name, verdict in verdicts.items():
            assert "NotImplementedError" not in verdict, (name, verdict)
        assert not re.search(WRONG.hint, verdicts[students[0]], re.I), verdicts
        assert re.search(WRONG.hint, verdicts[students[1]], re.I), verdicts

        cell = teacher.run_code(instructor_cell(str(RETURN_FEEDBACK), LESSON))
        assert "feedback staged for 2 students" in cell["all_text"], cell["all_text"]
        grades_csv = (
            root / "hub" / "course" / "build" / "grading" / LESSON / "grades.csv"
        )
        with grades_csv.open() as file:
            grades = {row["student"]: row for row in csv.DictReader(file)}
        assert set(grades) == set(students), grades
        scores = {name: float(grades[name]["score"]) for name in students}
        phases["graded and returned"] = time.perf_counter()
        assert scores[students[0]] > scores[students[1]], scores

        for name, student in zip(students, pupils, strict=True):
            other = next(s for s in students if s != name)
            student.lab.command("nbgrader:open-assignment-list")
            student.page.locator("#refresh_assignments_list").click()
            submitted = student.assignment_row("submitted_assignments_list").first
            submitted.get_by_role("button", name="Fetch Feedback").click()
            submitted.get_by_text("view feedback").wait_for()
            # "view feedback" opens the folder nbgrader fetched it into; the page in it
            # is opened as the file it is.
            submitted.get_by_text("view feedback").click()
            folder = student.page.evaluate(FILE_BROWSER_PATH_IN_FEEDBACK)
            page = student.context.new_page()
            page.goto(f"{student.url}/files/{folder}/{LESSON}.html")
            text = page.locator("body").inner_text()
            score = re.search(r"Score:\s*([\d.]+)\s*/\s*([\d.]+)", text)
            assert score, text[:2000]
            assert float(score.group(1)) == pytest.approx(scores[name]), (
                name,
                text[:500],
            )
            assert other not in text and other not in page.content()
        phases["feedback read"] = time.perf_counter()
        elapsed = time.perf_counter() - start
        previous = start
        for phase, moment in phases.items():
            print(f"hub round: {phase}: {moment - previous:.1f} s")
            previous = moment
        record_time("hub", "browser round", elapsed)
        print(f"hub round: {elapsed:.1f} s")
    except Exception:
        print(hub.log_tail(), file=sys.stderr)
        raise
    finally:
        for person in people:
            person.close()
        browser.close()
        playwright.stop()
        hub.stop()

    # The files, as the students' own uids see them.
    first, second = students
    exchange = root / "hub" / "exchange" / "attention-transformers"
    course = root / "hub" / "course"
    home = Path(users.homes / first)
    forbidden = {
        "another student's home": ["ls", str(home)],
        "another student's notebook": ["cat", str(home / LESSON / f"{LESSON}.ipynb")],
        "the instructor's solutions": ["ls", str(course / "solutions")],
        "the instructor's solution notebook": [
            "cat",
            str(course / "solutions" / LESSON / f"{LESSON}.ipynb"),
        ],
        "the gradebook": [
            "cat",
            str(course / "build" / "grading" / LESSON / "grades.csv"),
        ],
        "the exchange's inbound folder": ["ls", str(exchange / "inbound")],
        "the released feedback folder": ["ls", str(exchange / "feedback")],
    }
    for what, command in forbidden.items():
        result = as_user(second, *command)
        assert result.returncode != 0 and "Permission denied" in result.stderr, (
            f"{second} can read {what}: {result.stdout[:300]}"
        )
    assert as_user(second, "ls", str(exchange / "outbound" / LESSON)).returncode == 0


def test_leftover_users_are_removed(machine):
    """The fixture's finaliser removes the users it made (checked here once more)."""
    root, users, _ = machine
    name = users.add("tmp")
    assert user_exists(name)
    assert not users.remove_all()
    assert not user_exists(name)
