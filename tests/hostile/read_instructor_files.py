# attack: looks for the solutions, the hidden tests and the gradebook on disk and on the network, uses the solution if found, and tries to write outside its folder
# expect: 0
# problem: opens files
# --- replaces: softmax
import os
import socket


def softmax(x, dim=-1):
    return x * 0


found = []
for top in ["/", os.getcwd(), "..", "../..", "../../..", os.path.expanduser("~")]:
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in {"proc", "sys", "usr", "dev", "etc", ".venv", "site-packages"}]
        for name in files:
            if name.endswith((".db", ".ipynb")) or name == "nbgrader_config.py":
                found.append(os.path.join(folder, name))
print("instructor files seen:", found)
for path in found:
    try:
        text = open(path, errors="replace").read()
    except OSError:
        continue
    if "BEGIN SOLUTION" in text or "HIDDEN TESTS" in text:
        print("READ SECRET", path)
for target in ["/work/PWNED", "/tmp/PWNED", "../PWNED", "../../PWNED", "/root/PWNED"]:
    try:
        with open(target, "w") as handle:
            handle.write("written by a submission")
        print("wrote", target)
    except OSError as error:
        print("could not write", target, type(error).__name__)
try:
    socket.create_connection(("pypi.org", 443), timeout=3)
    print("NETWORK REACHED")
except OSError as error:
    print("no network:", type(error).__name__)
