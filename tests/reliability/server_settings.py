"""The production settings (DEBUG off, secrets from the environment) for the reliability tests'
gunicorn, with one change: plain static-file storage. The manifest storage needs
`collectstatic`, which compresses every vendored file (over a minute on 2 cores) and has nothing
to do with the database behaviour these tests are about."""

from infusion.settings import *  # noqa: F403
from infusion.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
