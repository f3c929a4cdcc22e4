"""`course similar`: similar solution regions, on small graded folders written here in the
format course_tools.grading.batch writes (no real grading: it is slow)."""

from __future__ import annotations

import copy
import json
import random
import time

import pytest

from course_tools.grading import similarity
from course_tools.release import COURSE_ROOT

LESSON = "00_orientation"
COMMON = "    x = torch.as_tensor(x)"  # every student writes it: not compared

ANN = """
    # subtract the largest entry so exp never overflows
    largest = x.amax(dim=dim, keepdim=True)
    largest = torch.where(torch.isinf(largest), torch.zeros_like(largest), largest)
    shifted = x - largest
    exps = torch.exp(shifted)
    total = exps.sum(dim=dim, keepdim=True)
    result = exps / total
    result = result.to(x.dtype)
    return result
"""
# ann's, with other names, comments and spacing
BEN = """
    m = x.amax(dim = dim, keepdim = True)  # the max
    m = torch.where(torch.isinf(m), torch.zeros_like(m), m)

    z = x-m
    ex = torch.exp(z)
    s = ex.sum(dim=dim, keepdim=True)
    out = ex / s  # normalise
    out = out.to(x.dtype)
    return out
"""
# ben's, with one line more
CAT = BEN.replace(
    "    return out", '    assert out.shape == x.shape, "shape kept"\n    return out'
)
DAN = """
    values, _ = torch.max(x, dim=dim, keepdim=True)
    values = values.masked_fill(values == float("-inf"), 0.0)
    numerator = (x - values).exp()
    return numerator / numerator.sum(dim, keepdim=True)
"""
EVE = """
    lse = torch.logsumexp(x, dim=dim, keepdim=True)
    lse = torch.nan_to_num(lse, neginf=0.0)
    return torch.exp(x - lse)
"""
FAY = """
    moved = x.movedim(dim, -1)
    rows = []
    for row in moved.reshape(-1, moved.shape[-1]):
        peak = row.max()
        weights = [math.exp(v - peak) for v in row.tolist()]
        rows.append(torch.tensor(weights, dtype=x.dtype) / sum(weights))
    return torch.stack(rows).reshape(moved.shape).movedim(-1, dim)
"""
ANSWER = (
    "Subtracting the same constant from every score multiplies numerator and\n"
    "denominator by the same factor exp(-c), which cancels out exactly."
)
CLASS = {
    "ann": (ANN, ANSWER),
    "ben": (BEN, ANSWER),
    "cat": (CAT, None),
    "dan": (DAN, None),
    "eve": (EVE, "Because the exponentials all shift by one common factor."),
    "fay": (FAY, None),
}


def release() -> dict:
    return json.loads(
        (COURSE_ROOT / "notebooks" / LESSON / f"{LESSON}.ipynb").read_text()
    )


def student_notebook(template: dict, body: str, answer: str | None) -> dict:
    """The release with the softmax exercise answered by `body` (and Q1 by `answer`)."""
    notebook = copy.deepcopy(template)
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        source = "".join(cell["source"])
        if grade_id == "softmax":
            head = source.split("    # YOUR CODE HERE")[0]
            cell["source"] = head + COMMON + "\n" + body.strip("\n")
        elif grade_id == "answer_max_trick" and answer:
            cell["source"] = answer
    return notebook


def write_graded(folder, notebooks: dict[str, dict]) -> None:
    (folder / "results").mkdir(parents=True)
    for student, notebook in notebooks.items():
        autograded = f"autograded/{student}/{LESSON}/{LESSON}.ipynb"
        (folder / autograded).parent.mkdir(parents=True)
        (folder / autograded).write_text(json.dumps(notebook))
        result = {
            "student": student,
            "assignment": LESSON,
            "grades": [],
            "problems": [],
            "autograded": autograded,
            "feedback": None,
            "seconds": 1.0,
        }
        record = {"key": "k", "origin": f"/in/{student}.ipynb", "result": result}
        (folder / "results" / f"{student}.json").write_text(json.dumps(record))
    (folder / "grades.csv").write_text("student,score\n")


@pytest.fixture
def graded(tmp_path):
    template = release()
    folder = tmp_path / "graded"
    write_graded(
        folder,
        {s: student_notebook(template, *answer) for s, answer in CLASS.items()},
    )
    return folder


def snapshot(folder) -> dict:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_finds_the_copies_and_only_them(graded):
    findings, _ = similarity.run(LESSON, graded=graded)
    pairs = {(p.first, p.second): p for p in findings.pairs}
    assert sorted(pairs) == [("ann", "ben"), ("ann", "cat"), ("ben", "cat")]
    assert pairs[("ann", "ben")].score == 1.0
    assert findings.clusters == [["ann", "ben", "cat"]]
    shared = [
        (left.text, right.text)
        for _, block in pairs[("ann", "ben")].blocks
        for left, right in block
    ]
    # Side by side as written; renamed names still match.
    assert ("    shifted = x - largest", "    z = x-m") in shared
    assert any("exp(-c)" in left for left, _ in shared)  # the copied written answer
    texts = {text for pair in shared for text in pair}
    assert COMMON not in texts  # in every submission: common, not compared
    assert not any("def softmax" in t or "Softmax of" in t for t in texts)  # template
    # Without renaming, only the verbatim copy is left.
    findings = similarity.find_similar(
        {s: similarity._read_notebook(p.read_bytes()) for s, p in autograded(graded)},
        LESSON,
        rename=False,
    )
    assert [(p.first, p.second) for p in findings.pairs] == [("ben", "cat")]


def autograded(folder):
    for path in sorted((folder / "autograded").glob(f"*/{LESSON}/{LESSON}.ipynb")):
        yield path.parent.parent.name, path


def test_command_text_html_and_nothing_else_written(graded, tmp_path, capsys):
    before = snapshot(graded)
    assert similarity.main([LESSON, "--graded", str(graded)]) == 0
    printed = capsys.readouterr().out
    assert "not proof" in printed
    assert "ann, ben, cat (3 students)" in printed
    assert "largest = x.amax(dim=dim, keepdim=True)" in printed
    after = snapshot(graded)
    assert sorted(set(after) - set(before)) == ["similar.html", "similar.txt"]
    assert {k: after[k] for k in before} == before
    page = (graded / "similar.html").read_text()
    assert "not proof" in page and page.count('class="shared"') == 3
    assert "http" not in page.replace("http-equiv", "")

    # The submitted notebooks, read as `course grade` reads them, give the same pairs.
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    for student, path in autograded(graded):
        (submissions / f"{student}.ipynb").write_bytes(path.read_bytes())
    (submissions / "gus.ipynb").write_text("not json")
    out = tmp_path / "out"
    arguments = [LESSON, "--submissions", str(submissions), "--out", str(out)]
    assert similarity.main(arguments) == 0
    printed = capsys.readouterr().out
    assert "not compared: gus" in printed
    assert "ann, ben, cat (3 students)" in printed
    assert sorted(p.name for p in out.iterdir()) == ["similar.html", "similar.txt"]


def test_help_and_clear_errors(graded, tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        similarity.main(["--help"])
    assert stop.value.code == 0
    assert "not proof" in " ".join(capsys.readouterr().out.split())
    assert similarity.main(["no_such_lesson", "--graded", str(graded)]) == 2
    assert "no assignment 'no_such_lesson'" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert similarity.main([LESSON, "--graded", str(tmp_path / "empty")]) == 2
    assert "never graded" in capsys.readouterr().err
    assert similarity.main([LESSON, "--submissions", str(tmp_path / "absent")]) == 2
    assert "no folder of submissions" in capsys.readouterr().err
    assert similarity.main([LESSON, "--graded", str(graded), "--threshold", "2"]) == 2
    assert "--threshold" in capsys.readouterr().err


# Six ways to write each step of a softmax; {a}, {b}, {c} are a student's own names.
STEPS = [
    [
        "{a} = x.amax(dim=dim, keepdim=True)",
        "{a} = x.max(dim=dim, keepdim=True).values",
        "{a}, _ = torch.max(x, dim=dim, keepdim=True)",
        "{a} = torch.amax(x, dim, keepdim=True)",
        "{a} = x.max(dim, keepdim=True)[0]",
        "{a} = torch.max(x, dim, True).values",
    ],
    [
        "{a} = torch.where(torch.isinf({a}), torch.zeros_like({a}), {a})",
        "{a} = {a}.masked_fill(torch.isinf({a}), 0.0)",
        "{a} = torch.nan_to_num({a}, neginf=0.0, posinf=0.0)",
        "{a}[{a} == float('-inf')] = 0",
        "{a} = {a}.clamp(min=-1e30)",
        "{a} = torch.where({a}.isfinite(), {a}, 0.0)",
    ],
    [
        "{b} = torch.exp(x - {a})",
        "{b} = (x - {a}).exp()",
        "{b} = x.sub({a}).exp()",
        "{b} = torch.exp(torch.sub(x, {a}))",
        "{b} = math.e ** (x - {a})",
        "{b} = torch.pow(math.e, x - {a})",
    ],
    [
        "{c} = {b}.sum(dim=dim, keepdim=True)",
        "{c} = torch.sum({b}, dim=dim, keepdim=True)",
        "{c} = {b}.sum(dim, keepdim=True)",
        "{c} = torch.sum({b}, dim, True)",
        "{c} = {b}.sum(dim=dim).unsqueeze(dim)",
        "{c} = {b}.cumsum(dim).narrow(dim, -1, 1)",
    ],
    [
        "{b} = {b} / {c}",
        "{b} = {b}.div({c})",
        "{b} = torch.div({b}, {c})",
        "{b} = {b} * {c}.reciprocal()",
        "{b} = {b} * (1.0 / {c})",
        "{b} /= {c}",
    ],
    [
        "{b} = {b}.to(x.dtype)",
        "{b} = {b}.type_as(x)",
        "{b} = {b}.to(dtype=x.dtype)",
        "{b} = {b}.type(x.dtype)",
        "{b} = torch.as_tensor({b}, dtype=x.dtype)",
        "{b} = {b}.clone().to(x.dtype)",
    ],
]
NAMES = (
    "m top peak big shift biggest mx e ex num top_e w s total denom z norm acc".split()
)


def synthetic_body(choices: list[int], a: str, b: str, c: str) -> str:
    lines = [
        step[k].format(a=a, b=b, c=c) for step, k in zip(STEPS, choices, strict=True)
    ]
    return "\n".join("    " + line for line in lines + [f"return {b}"])


def test_three_hundred_submissions_take_seconds(tmp_path, capsys):
    rng = random.Random(0)
    template = release()
    choices = {f"s{n:03d}": [rng.randrange(6) for _ in STEPS] for n in range(300)}
    bodies = {s: synthetic_body(k, *rng.sample(NAMES, 3)) for s, k in choices.items()}
    # s299 copies s000's solution with its own names: one planted pair.
    bodies["s299"] = synthetic_body(choices["s000"], "first", "second", "third")
    folder = tmp_path / "graded"
    write_graded(
        folder, {s: student_notebook(template, b, None) for s, b in bodies.items()}
    )
    started = time.perf_counter()
    findings, _ = similarity.run(LESSON, graded=folder)
    seconds = time.perf_counter() - started
    with capsys.disabled():
        print(
            f"\n300 synthetic submissions: compared in {findings.seconds:.1f} s, "
            f"{seconds:.1f} s with reading and writing; {len(findings.pairs)} pairs listed"
        )
    assert findings.compared == 300
    assert ("s000", "s299") in {(p.first, p.second) for p in findings.pairs}
    assert seconds < 30
