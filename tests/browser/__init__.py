"""Browser tests: the course driven in JupyterLab by headless Chromium (see README.md here)."""
