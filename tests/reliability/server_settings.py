"""The production settings (DEBUG off, secrets from the environment) for the reliability tests'
gunicorn, with one change: plain static-file storage. The manifest storage needs
`collectstatic`, which compresses every vendored file (over a minute on 2 cores) and has nothing
to do with the database behaviour these tests are about. And one addition: each answer names the
worker that gave it (X-Worker-Pid), for the tests that must see every worker."""

from infusion.settings import *  # noqa: F403
from infusion.settings import MIDDLEWARE, STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

MIDDLEWARE = [*MIDDLEWARE, "tests.reliability.worker_pid.WorkerPidMiddleware"]
