"""Start JupyterLab on a scratch copy of the course and drive it from headless Chromium.

Used by the browser tests (tests/browser/). Everything the server and the kernels write
(settings, workspaces, runtime files, HOME, matplotlib and IPython folders, the nbgrader
exchange and gradebook) goes to one temporary folder; the course tree is never touched.
The kernels run the lessons in full (as a student meets them), and every figure they
show is recorded for course_tools.figure_audit in figures/<notebook>.jsonl under the
scratch folder. A notebook whose kernelspec is QUICK_KERNEL runs with
tests/full_run.py's SHORTENED_ENV.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from full_run import SHORTENED_ENV

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1280, "height": 900}
# A kernelspec of the scratch Jupyter data folder: this Python, with SHORTENED_ENV.
QUICK_KERNEL = "course-quick"
# An IPython startup file of the lab's kernels: each kernel that Jupyter starts for a
# notebook (JPY_SESSION_NAME is its path) records the figures it draws.
FIGURE_AUDIT_STARTUP = """\
import os as _os

if _os.environ.get("COURSE_FIGURE_LOGS") and _os.environ.get("JPY_SESSION_NAME"):
    import course_tools.figure_audit as _audit

    _name = _os.path.basename(_os.environ["JPY_SESSION_NAME"]).removesuffix(".ipynb")
    _audit.install(_os.path.join(_os.environ["COURSE_FIGURE_LOGS"], _name + ".jsonl"))
"""

# JupyterLab user settings: no news or update checks, every cell in the page (no
# virtual scrolling), nothing saved behind the test's back, no extension manager.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none",
        "scrollPastEnd": False,
    },
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {
        "enabled": False
    },
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabServer:
    """A JupyterLab server on 127.0.0.1, without a token, serving a scratch copy of the course."""

    def __init__(
        self, course_root: Path, scratch: Path, extra_env: dict[str, str] | None = None
    ):
        self.course_root = Path(course_root)
        self.scratch = Path(scratch)
        self.extra_env = dict(extra_env or {})
        self.process: subprocess.Popen | None = None
        self.port: int | None = None
        self.log_path = self.scratch / "jupyterlab.log"
        self._opener = None
        self._xsrf = ""

    # -- set up ---------------------------------------------------------------------------
    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        folders = {
            "HOME": "home",
            "JUPYTER_CONFIG_DIR": "jupyter/config",
            "JUPYTER_DATA_DIR": "jupyter/data",
            "JUPYTER_RUNTIME_DIR": "jupyter/runtime",
            "IPYTHONDIR": "ipython",
            "MPLCONFIGDIR": "matplotlib",
            "XDG_CACHE_HOME": "cache",
            "XDG_CONFIG_HOME": "config",
        }
        for variable, sub in folders.items():
            folder = self.scratch / sub
            folder.mkdir(parents=True, exist_ok=True)
            env[variable] = str(folder)
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        # Plots must reach the page: the kernel's inline backend, not Agg from the test process.
        env.pop("MPLBACKEND", None)
        env.pop("NBGRADER_EXECUTION", None)
        env.pop("COURSE_QUICK", None)
        env["COURSE_FIGURE_LOGS"] = str(self.figure_logs)
        env["PYTHONUNBUFFERED"] = "1"
        env["PATH"] = (
            str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        )
        env.update(self.extra_env)
        # Server extensions the tests do not use (language servers, terminals) stay off.
        server_config = {
            "ServerApp": {
                "jpserver_extensions": {
                    "jupyter_lsp": False,
                    "jupyter_server_terminals": False,
                }
            }
        }
        (self.scratch / "jupyter/config/jupyter_server_config.json").write_text(
            json.dumps(server_config)
        )
        self.write_kernel_files(env)
        return env

    @property
    def figure_logs(self) -> Path:
        return self.scratch / "figures"

    def figure_log(self, notebook: str) -> Path:
        """Where the figures of the kernel of `notebook` (a file name) are recorded."""
        return self.figure_logs / f"{Path(notebook).stem}.jsonl"

    def write_kernel_files(self, env: dict[str, str]) -> None:
        """Write the quick kernelspec and the figure-audit startup file."""
        self.figure_logs.mkdir(parents=True, exist_ok=True)
        startup = Path(env["IPYTHONDIR"]) / "profile_default" / "startup"
        startup.mkdir(parents=True, exist_ok=True)
        (startup / "00-figure-audit.py").write_text(FIGURE_AUDIT_STARTUP)
        spec = Path(env["JUPYTER_DATA_DIR"]) / "kernels" / QUICK_KERNEL
        spec.mkdir(parents=True, exist_ok=True)
        (spec / "kernel.json").write_text(
            json.dumps(
                {
                    "argv": [
                        sys.executable,
                        "-m",
                        "ipykernel_launcher",
                        "-f",
                        "{connection_file}",
                    ],
                    "display_name": "Python 3 (shortened runs)",
                    "language": "python",
                    "env": SHORTENED_ENV,
                }
            )
        )

    def write_settings(self) -> Path:
        settings = self.scratch / "lab-settings"
        for name, values in LAB_SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values, indent=2))
        return settings

    def command(self, port: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            f"--ServerApp.root_dir={self.course_root}",
            f"--LabApp.user_settings_dir={self.write_settings()}",
            f"--LabApp.workspaces_dir={self.scratch / 'lab-workspaces'}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.extension_manager=readonly",
            "--ServerApp.terminals_enabled=False",
            *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        ]

    # -- life cycle -----------------------------------------------------------------------
    def start(self, timeout: float = 90.0, attempts: int = 3) -> LabServer:
        env = self.environment()
        last_error = ""
        for _ in range(attempts):
            self.port = free_port()
            self._opener = None
            log = open(self.log_path, "ab")
            self.process = subprocess.Popen(
                self.command(self.port),
                cwd=self.course_root,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            log.close()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    with urllib.request.urlopen(
                        f"{self.url}/api/status", timeout=2
                    ) as response:
                        if response.status == 200:
                            return self
                except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                    pass
                try:  # wait for the process (or its readiness), never longer than needed
                    self.process.wait(timeout=0.2)
                except subprocess.TimeoutExpired:
                    pass
            last_error = self.log_tail()
            self.stop()
        raise RuntimeError(
            f"JupyterLab did not start on 127.0.0.1 after {attempts} attempts:\n{last_error}"
        )

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no server log)"

    # -- REST API -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self, method: str, path: str, body: dict | None = None):
        """Call the server's REST API; changes carry the XSRF token, as the page's own requests do."""
        if self._opener is None:
            jar = http.cookiejar.CookieJar()
            self._opener = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(jar)
            )
            self._opener.open(
                f"{self.url}/lab", timeout=30
            ).read()  # sets the _xsrf cookie
            self._xsrf = next((c.value for c in jar if c.name == "_xsrf"), "")
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}/api/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "X-XSRFToken": self._xsrf},
        )
        with self._opener.open(request, timeout=30) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def kernel_pid(self, notebook: str) -> int:
        """The process id of the kernel of `notebook` (a path in the course)."""
        kernels = [
            session["kernel"]["id"]
            for session in self.api("GET", "sessions")
            if session.get("path") == notebook and session.get("kernel")
        ]
        if not kernels:
            raise RuntimeError(f"no kernel runs for {notebook}")
        for entry in os.listdir("/proc"):
            try:
                command = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if entry.isdigit() and f"kernel-{kernels[0]}.json".encode() in command:
                return int(entry)
        raise RuntimeError(f"the kernel process of {notebook} was not found")

    def reset(self) -> None:
        """Shut down every session and kernel, so a test starts from a server with nothing running."""
        for session in self.api("GET", "sessions"):
            self.api("DELETE", f"sessions/{session['id']}")
        for kernel in self.api("GET", "kernels"):
            self.api("DELETE", f"kernels/{kernel['id']}")


def find_chromium() -> str | None:
    """Debian's Chromium (`apt-get install chromium`), or None where it is not installed."""
    path = os.environ.get("COURSE_CHROMIUM", CHROMIUM)
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


def copy_course(source: Path, target: Path) -> Path:
    """The parts of the course that JupyterLab serves: solutions, release, nbgrader config."""
    target.mkdir(parents=True, exist_ok=True)
    for folder in ("solutions", "notebooks"):
        if (source / folder).is_dir():
            shutil.copytree(
                source / folder,
                target / folder,
                ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
            )
    shutil.copy2(source / "nbgrader_config.py", target / "nbgrader_config.py")
    return target


# ---------------------------------------------------------------------------------------
# The page side. JupyterLab runs with expose_app_in_browser, so window.jupyterapp is the
# application: the tests read the notebook's model (outputs, execution counts) from it and
# run the same commands the menus run. Every wait is on a condition of the page.
# ---------------------------------------------------------------------------------------

JS_PANEL = """
window.__coursePanel = (path) => {
  const app = window.jupyterapp;
  if (!app) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.content.widgets) return w;
  }
  return null;
};
window.__courseKernelIdle = (path) => {
  const panel = window.__coursePanel(path);
  const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected';
};
window.__courseHash = (text) => {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return text.length + ':' + h;
};
// What a cell shows, for before/after comparisons: the widget Output areas in it (the
// controls themselves change when moved, so they are left out), else every widget Output
// area in the notebook.
window.__courseFingerprint = (path, index) => {
  const panel = window.__coursePanel(path);
  const cell = panel.content.widgets[index];
  let areas = Array.from(cell.node.querySelectorAll('.jp-OutputArea-output .widget-output'));
  if (!areas.length) areas = Array.from(panel.content.node.querySelectorAll('.widget-output'));
  return window.__courseHash(areas.map(a => a.innerHTML).join('\\u0000'));
};
// The element that scrolls the notebook (JupyterLab 4 wraps the cells in a windowed list).
window.__courseScroller = (path) => {
  const node = window.__coursePanel(path).content.node;
  const outer = node.classList.contains('jp-WindowedPanel-outer') ? node : node.querySelector('.jp-WindowedPanel-outer');
  return outer && outer.scrollHeight >= node.scrollHeight ? outer : node;
};
window.__courseImagesLoaded = (root) =>
  Array.from(root.querySelectorAll('.jp-OutputArea-output img')).every(img => img.complete && img.naturalWidth > 0);
"""

JS_CELLS = """
(path) => {
  const panel = window.__coursePanel(path);
  return panel.content.widgets.map((cell, index) => {
    const model = cell.model;
    cell.node.dataset.courseCell = String(index);
    const nbgrader = (model.getMetadata && model.getMetadata('nbgrader')) || {};
    const info = {index, type: model.type, source: model.sharedModel.getSource(), nbgrader};
    if (model.type === 'code') {
      info.executionCount = model.executionCount;
      info.prompt = (cell.node.querySelector('.jp-InputPrompt') || {}).textContent || '';
      const children = cell.outputArea ? cell.outputArea.widgets : [];
      info.outputs = model.outputs.toJSON().map((out, j) => {
        const node = children[j] ? children[j].node : null;
        if (node) node.dataset.courseOutput = index + '-' + j;
        const data = out.data || {};
        const text = out.text !== undefined ? (Array.isArray(out.text) ? out.text.join('') : out.text)
                   : (data['text/plain'] !== undefined ? [].concat(data['text/plain']).join('') : '');
        const rendered = node ? node.querySelector('.jp-OutputArea-output') : null;
        return {
          type: out.output_type, name: out.name || null, ename: out.ename || null, evalue: out.evalue || null,
          traceback: out.traceback ? out.traceback.join('\\n') : null,
          mimes: Object.keys(data), text,
          widget: 'application/vnd.jupyter.widget-view+json' in data,
          domText: rendered ? rendered.innerText.slice(0, 2000) : null,
          widgetRendered: rendered ? !!rendered.querySelector('.jupyter-widgets') : false,
          height: rendered ? rendered.getBoundingClientRect().height : 0,
          images: rendered ? rendered.querySelectorAll('img').length : 0,
        };
      });
    }
    return info;
  });
}
"""

# Controls of ipywidgets 8, as they appear in the page, and how to move each.
CONTROL_SELECTORS = {
    "slider": ".widget-slider:not(.widget-vslider), .widget-vslider",
    "dropdown": ".widget-dropdown select",
    "checkbox": ".widget-checkbox input[type=checkbox]",
    "toggle-buttons": ".widget-toggle-buttons",
    "radio": ".widget-radio-box",
    "toggle": "button.widget-toggle-button:not(.widget-toggle-buttons button)",
    "button": "button.widget-button:not(.widget-toggle-button)",
    "number": ".widget-text:not(.widget-textarea) input",
}


class LabPage:
    """One JupyterLab page in Chromium, with the notebook it has open."""

    def __init__(self, page, server: LabServer, timeout_ms: float = 120_000):
        self.page = page
        self.server = server
        self.timeout_ms = timeout_ms
        self.path: str | None = None
        self.loaded = False
        self.page_errors: list[str] = []
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.add_init_script(JS_PANEL)

    # -- opening --------------------------------------------------------------------------
    def load(self) -> None:
        """Load JupyterLab in the page with a clean workspace and wait until it is ready."""
        self.page.goto(f"{self.server.url}/lab?reset", wait_until="domcontentloaded")
        self.page.wait_for_function(
            "() => !!(window.jupyterapp && window.jupyterapp.shell)",
            timeout=self.timeout_ms,
        )
        self.page.evaluate("() => window.jupyterapp.restored.then(() => true)")
        self.loaded = True

    def ensure_loaded(self) -> None:
        if not self.loaded:
            self.load()

    def close_all(self) -> None:
        """Close every tab without saving: the tests never write to the course."""
        if self.loaded and not self.page.is_closed():
            self.page.evaluate("""() => {
                for (const w of Array.from(window.jupyterapp.shell.widgets('main'))) {
                  if (w.context && w.context.model) w.context.model.dirty = false;
                  w.dispose();
                }
              }""")
        self.path = None
        self.page_errors.clear()

    def open(self, path: str) -> LabPage:
        """Open a notebook, as a double click in the file browser does, and wait until its kernel is idle."""
        if not self.loaded:
            self.load()
        self.path = path
        self.page.evaluate(
            "(path) => { window.jupyterapp.commands.execute('docmanager:open', "
            "{path, factory: 'Notebook'}); }",
            path,
        )
        self.page.wait_for_function(
            "(path) => !!window.__coursePanel(path)", arg=path, timeout=self.timeout_ms
        )
        self.page.evaluate(
            "(path) => window.__coursePanel(path).context.ready.then(() => true)", path
        )
        self.wait_idle()
        return self

    def wait_idle(self, timeout_ms: float | None = None) -> None:
        """Wait until the notebook's kernel is connected and idle and no cell waits to run."""
        self.page.wait_for_function(
            """(path) => window.__courseKernelIdle(path) &&
                 !Array.from(window.__coursePanel(path).content.node.querySelectorAll('.jp-InputPrompt'))
                   .some(p => p.textContent.includes('*'))""",
            arg=self.path,
            timeout=timeout_ms or self.timeout_ms,
        )

    def command(self, name: str, args: dict | None = None):
        """Run a JupyterLab command (what a menu item or shortcut does) and wait for it to finish."""
        return self.page.evaluate(
            "([name, args]) => window.jupyterapp.commands.execute(name, args || {})",
            [name, args],
        )

    # -- running --------------------------------------------------------------------------
    def run_all(self, timeout_ms: float | None = None) -> list[dict]:
        """Run every cell; wait up to `timeout_ms` (default: the page's) for the kernel."""
        self.command("notebook:run-all-cells")
        self.wait_idle(timeout_ms)
        return self.cells()

    def run_cell(self, index: int) -> dict:
        self.activate(index)
        self.command("notebook:run-cell")
        self.wait_idle()
        return self.cells()[index]

    def activate(self, index: int) -> None:
        self.page.evaluate(
            "([path, i]) => { const p = window.__coursePanel(path); p.content.activeCellIndex = i; "
            "p.content.deselectAll(); }",
            [self.path, index],
        )

    def cells(self) -> list[dict]:
        return self.page.evaluate(JS_CELLS, self.path)

    def cell(self, index: int):
        """A locator for cell `index` (cells() marks them in the page)."""
        return self.page.locator(f'.jp-NotebookPanel [data-course-cell="{index}"]')

    # -- typing ---------------------------------------------------------------------------
    def type_into(self, index: int, text: str) -> None:
        """Replace a cell's text the way a student does: click in it, select all, type."""
        editor = self.cell(index).locator(".cm-content")
        editor.click()
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.press("Delete")
        # insert_text types the text as one input, so the editor adds no indentation or brackets.
        self.page.keyboard.insert_text(text)
        self.page.wait_for_function(
            "([path, i, text]) => window.__coursePanel(path).content.widgets[i].model.sharedModel.getSource() === text",
            arg=[self.path, index, text],
            timeout=10_000,
        )
        self.page.keyboard.press("Escape")

    # -- checks ---------------------------------------------------------------------------
    def wait_images(self) -> None:
        self.page.wait_for_function(
            "(path) => window.__courseImagesLoaded(window.__coursePanel(path).content.node)",
            arg=self.path,
            timeout=30_000,
        )

    def wait_widgets_rendered(self, timeout_ms: float = 30_000) -> None:
        """Wait until every widget output shows a rendered widget (or an error in its place)."""
        self.page.wait_for_function(
            """(path) => {
                 const panel = window.__coursePanel(path);
                 for (const cell of panel.content.widgets) {
                   if (cell.model.type !== 'code') continue;
                   const outs = cell.model.outputs.toJSON();
                   const children = cell.outputArea.widgets;
                   for (let j = 0; j < outs.length; j++) {
                     if (!(outs[j].data && outs[j].data['application/vnd.jupyter.widget-view+json'])) continue;
                     const node = children[j] && children[j].node;
                     if (!node) return false;
                     const text = node.innerText || '';
                     if (text.includes('Error displaying widget')) continue;
                     if (!node.querySelector('.jupyter-widgets') || text.includes('Loading widget')) return false;
                   }
                 }
                 return true;
               }""",
            arg=self.path,
            timeout=timeout_ms,
        )

    def fingerprint(self, index: int) -> str:
        return self.page.evaluate(
            "([path, i]) => window.__courseFingerprint(path, i)", [self.path, index]
        )

    def move_control(self, control, kind: str) -> str:
        """Move one control to a clearly different value; returns what was done, in words."""
        control.scroll_into_view_if_needed()
        if kind == "slider":
            handle = control.locator(".noUi-handle").first
            track = control.locator(".noUi-target").first
            box, knob = track.bounding_box(), handle.bounding_box()
            horizontal = box["width"] >= box["height"]
            if horizontal:
                here = knob["x"] + knob["width"] / 2
                fraction = 0.85 if here < box["x"] + box["width"] / 2 else 0.15
                target = (
                    box["x"] + fraction * box["width"],
                    knob["y"] + knob["height"] / 2,
                )
            else:
                here = knob["y"] + knob["height"] / 2
                fraction = 0.15 if here > box["y"] + box["height"] / 2 else 0.85
                target = (
                    knob["x"] + knob["width"] / 2,
                    box["y"] + fraction * box["height"],
                )
            self.page.mouse.move(
                knob["x"] + knob["width"] / 2, knob["y"] + knob["height"] / 2
            )
            self.page.mouse.down()
            self.page.mouse.move(*target, steps=6)
            self.page.mouse.up()
            return f"dragged the slider to {fraction:.0%} of its track"
        if kind == "dropdown":
            options = control.locator("option")
            values = [
                options.nth(i).get_attribute("value") for i in range(options.count())
            ]
            current = control.input_value()
            others = [v for v in values if v != current]
            if not others:
                return ""
            control.select_option(others[-1])
            return f"chose option {others[-1]!r}"
        if kind in {"checkbox", "toggle", "button"}:
            control.click()
            return "clicked it"
        if kind == "toggle-buttons":
            buttons = control.locator("button:not(.mod-active)")
            if buttons.count() == 0:
                return ""
            buttons.last.click()
            return "picked another button"
        if kind == "radio":
            choices = control.locator("input[type=radio]:not(:checked)")
            if choices.count() == 0:
                return ""
            choices.last.check()
            return "picked another choice"
        if kind == "number":
            value = control.input_value()
            try:
                new = (
                    str(float(value) * 2 + 1)
                    if "." in value
                    else str(int(value) * 2 + 1)
                )
            except ValueError:
                return ""
            control.fill(new)
            control.press("Enter")
            return f"typed {new}"
        raise ValueError(kind)

    def exercise_widgets(
        self, cells: list[dict], timeout_ms: float = 90_000
    ) -> tuple[list[str], list[str]]:
        """Move every control of every widget; returns (what changed, what did not)."""
        moved, problems = [], []
        for cell in cells:
            for j, out in enumerate(cell.get("outputs", [])):
                if not out["widget"]:
                    continue
                root = self.page.locator(
                    f'.jp-NotebookPanel [data-course-output="{cell["index"]}-{j}"]'
                )
                # interactive(..., {"manual": True}): a change shows only after its run button is pressed.
                run_button = root.locator(".widget-interact > button.widget-button")
                manual = run_button.count() > 0
                for kind, selector in CONTROL_SELECTORS.items():
                    controls = root.locator(selector)
                    for k in range(controls.count()):
                        control = controls.nth(k)
                        if not control.is_visible() or (
                            kind != "slider" and control.is_disabled()
                        ):
                            continue
                        if (
                            manual
                            and kind == "button"
                            and control.evaluate(
                                "(n) => n.parentElement.classList.contains('widget-interact')"
                            )
                        ):
                            continue
                        label = control.evaluate(
                            "(n) => { const w = n.closest('.widget-inline-hbox, .widget-box') || n;"
                            " const l = w.querySelector('.widget-label'); return (l && l.textContent) || n.textContent || ''; }"
                        ).strip()[:40]
                        where = f"cell {cell['index']}, {kind} {label!r}"
                        before = self.fingerprint(cell["index"])
                        action = self.move_control(control, kind)
                        if not action:
                            continue
                        if manual:
                            run_button.first.click()
                            action += f", then pressed {run_button.first.inner_text().strip()!r}"
                        # Rarely (once in eight full runs here) the control shows its new value
                        # but the widget's output never updates, as if the change did not reach
                        # the kernel; a student would move it again, and so does the test (twice
                        # at most: a control with two states needs two moves to differ again).
                        # A widget that never responds still fails, and every retry is printed.
                        attempts = 3
                        for attempt in range(1, attempts + 1):
                            if attempt > 1:
                                again = self.move_control(control, kind)
                                if manual:
                                    run_button.first.click()
                                print(
                                    f"retry: {where}: no change within {timeout_ms / attempts / 1000:.0f} s "
                                    f"of '{action}'; {again} (move {attempt})"
                                )
                            if self._output_changed(
                                cell["index"], before, timeout_ms / attempts
                            ):
                                moved.append(
                                    f"{where}: {action}"
                                    + (f" (move {attempt})" if attempt > 1 else "")
                                )
                                break
                        else:
                            problems.append(
                                f"{where}: {action}, but its output did not change within "
                                f"{timeout_ms / 1000:.0f} s and {attempts} moves"
                            )
        return moved, problems

    def _output_changed(self, index: int, before: str, timeout_ms: float) -> bool:
        """Wait until cell `index`'s output differs from `before` with the kernel idle."""
        try:
            self.page.wait_for_function(
                "([path, i, before]) => window.__courseFingerprint(path, i) !== before"
                " && window.__courseKernelIdle(path)",
                arg=[self.path, index, before],
                timeout=timeout_ms,
            )
        except Exception:  # noqa: BLE001 - the caller decides whether it is a problem
            return False
        self.wait_idle()
        self.wait_images()
        return True

    # -- pictures -------------------------------------------------------------------------
    def screenshot(self, path: Path, max_height: int = 16_000) -> list[Path]:
        """The whole notebook as a student scrolls through it, in one or more PNG files."""
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in [
            path,
            *path.parent.glob(f"{path.stem}-[0-9]*{path.suffix}"),
        ]:  # an earlier run's pictures
            stale.unlink(missing_ok=True)
        self.command("notebook:enter-command-mode")
        height = self.page.evaluate(
            "(path) => { const n = window.__courseScroller(path); n.scrollTop = 0; return n.scrollHeight; }",
            self.path,
        )
        chrome = VIEWPORT["height"] - self.page.evaluate(
            "(path) => window.__courseScroller(path).clientHeight", self.path
        )
        written = []
        try:
            visible = int(min(height, max_height))
            self.page.set_viewport_size(
                {"width": VIEWPORT["width"], "height": visible + int(chrome)}
            )
            # JupyterLab lays the page out again on the resize event: wait for the taller notebook.
            self.page.wait_for_function(
                "([path, h]) => window.__courseScroller(path).clientHeight >= h - 2",
                arg=[self.path, visible],
                timeout=30_000,
            )
            offset, part = 0, 1
            while True:
                self.page.evaluate(
                    "([path, y]) => { window.__courseScroller(path).scrollTop = y; }",
                    [self.path, offset],
                )
                self.wait_images()
                target = (
                    path
                    if height <= max_height
                    else path.with_name(f"{path.stem}-{part}{path.suffix}")
                )
                self.page.locator(".jp-NotebookPanel:visible").first.screenshot(
                    path=str(target)
                )
                written.append(target)
                offset += max_height
                part += 1
                if offset >= height:
                    break
        finally:
            self.page.set_viewport_size(VIEWPORT)
        return written


def tree_cpu_seconds(root: int | None = None) -> float:
    """CPU seconds used so far by a process and all its descendants, reaped children included.

    The browser tests report it beside wall time: on a busy machine wall time says little,
    CPU time says what a lesson costs.
    """
    root = os.getpid() if root is None else root
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (name) "
        stats[int(entry)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        fields = stats.get(pid)
        if fields:
            total += (
                sum(int(fields[i]) for i in (11, 12, 13, 14)) / tick
            )  # utime stime cutime cstime
        stack.extend(children.get(pid, []))
    return total
