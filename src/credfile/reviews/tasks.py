"""Celery tasks: the same job runner as `credfile jobs run-due` (credfile.reviews.jobs)."""

from __future__ import annotations

import datetime
from typing import Any

from credfile.celery import app
from credfile.reviews.jobs import run_due


@app.task(name="credfile.reviews.run_due_jobs")
def run_due_jobs(force: bool = False, today: str | None = None) -> list[dict[str, Any]]:
    """Run the due jobs; returns what ran (JSON, for the result backend)."""
    day = datetime.date.fromisoformat(today) if today else None
    return [
        {"job": o.name, "ran": o.ran, "status": o.status, "summary": o.summary}
        for o in run_due(today=day, force=force)
    ]
