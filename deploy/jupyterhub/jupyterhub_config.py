"""JupyterHub for the course: local system users, each server run as its user.

Started by `start_hub.py` (`make hub`), which checks the machine, lays out the hub's
folder and names a settings file in COURSE_HUB_SETTINGS; this file only reads it.

- Login: the machine's own accounts through PAM, for the users the settings list.
- Servers: JupyterHub's LocalProcessSpawner starts `python -m jupyterhub.singleuser`
  of the course's environment as that user, in JupyterLab.
- Instructors get the course folder as their server's root and nbgrader's formgrader in
  their own server; students get their home folder, the Assignment List and validation,
  and neither the formgrader nor the course list (server and JupyterLab extensions off).
- nbgrader's exchange is one shared folder (mode 1777) that every server's nbgrader
  configuration names.
"""

import json
import os
from pathlib import Path

c = get_config()  # noqa: F821  (JupyterHub injects get_config)

settings = json.loads(Path(os.environ["COURSE_HUB_SETTINGS"]).read_text())
root = Path(settings["root"])
state = root / "state"

c.JupyterHub.ip = settings["ip"]
c.JupyterHub.port = settings["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = settings["hub_port"]
c.ConfigurableHTTPProxy.command = [settings["proxy"]]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server
c.JupyterHub.cleanup_proxy = True

instructors = set(settings["instructors"])
students = set(settings["students"])

if settings.get("authenticator") == "lti13":
    # A learning platform logs the user in (LTI 1.3); see README.md, "From a platform".
    c.JupyterHub.authenticator_class = "ltiauthenticator.lti13.auth.LTI13Authenticator"
    lti = settings["lti13"]
    c.LTI13Authenticator.issuer = lti["issuer"]
    c.LTI13Authenticator.client_id = [lti["client_id"]]
    c.LTI13Authenticator.authorize_url = lti["authorize_url"]
    c.LTI13Authenticator.jwks_endpoint = lti["jwks_endpoint"]
    c.LTI13Authenticator.username_key = lti.get("username_key", "sub")
else:
    c.JupyterHub.authenticator_class = "pam"
    # Containers and many servers have no PAM session modules for a web login.
    c.PAMAuthenticator.open_sessions = False
c.Authenticator.allowed_users = instructors | students
c.Authenticator.admin_users = set(settings.get("admins", []))

c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [settings["python"], "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.args = list(settings.get("server_args", []))
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
environment = {
    "PATH": f"{Path(settings['python']).parent}:/usr/local/bin:/usr/bin:/bin",
    "JUPYTER_PLATFORM_DIRS": "1",
}
environment.update(settings.get("environment", {}))
c.Spawner.environment = environment


def per_role(spawner):
    """The instructor's server opens the course folder with the formgrader; a student's
    opens their home folder with the student configuration."""
    name = spawner.user.name
    role = "instructor" if name in instructors else "student"
    spawner.environment["JUPYTER_CONFIG_PATH"] = str(root / "etc" / role)
    if role == "instructor":
        spawner.notebook_dir = settings["course"]
    else:
        spawner.notebook_dir = "~"


c.Spawner.pre_spawn_hook = per_role
