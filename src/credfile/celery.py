"""The Celery app for running credfile's scheduled jobs on several machines (optional).

Installed with `pip install 'credfile[scale]'`; without it, `credfile jobs worker` runs the
same jobs with no extra server. Workers and one beat scheduler:

    celery -A credfile.celery worker --loglevel INFO       # on every job machine
    celery -A credfile.celery beat --loglevel INFO         # on one machine

The broker is CREDFILE_BROKER_URL (redis://… or amqp://…); see docs/operations.md.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credfile.settings")

app = Celery("credfile")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["credfile.reviews"])
# run_due is idempotent (a job runs once a day, recorded in JobRun), so the beat may ask
# often: a missed tick, or a beat that was down at midnight, costs nothing.
app.conf.beat_schedule = {
    "credfile-run-due-jobs": {
        "task": "credfile.reviews.run_due_jobs",
        "schedule": crontab(minute="*/15"),
    },
}
