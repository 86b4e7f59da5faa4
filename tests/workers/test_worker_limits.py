"""Workers are bounded (issue 15): a worker child is recycled after a number of tasks and above
a resident-memory limit, in the Celery app's configuration and in the compose file's worker."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from workers.celery import app

ROOT = Path(__file__).resolve().parents[2]


def test_the_celery_app_recycles_children_by_task_count_and_by_memory() -> None:
    assert app.conf.worker_max_tasks_per_child == settings.CELERY_WORKER_MAX_TASKS_PER_CHILD
    assert app.conf.worker_max_memory_per_child == settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD
    assert 0 < app.conf.worker_max_tasks_per_child <= 1000
    assert 0 < app.conf.worker_max_memory_per_child <= 2_000_000  # KiB


def test_the_compose_worker_runs_with_the_same_limits() -> None:
    compose = (ROOT / "docker-compose.yml").read_text()
    worker = compose[compose.index("\n  worker:") :].split("\n  beat:")[0]
    lines = [line.strip().removeprefix("- ").strip('"') for line in worker.splitlines()]
    assert lines[lines.index("--max-tasks-per-child") + 1] == str(
        settings.CELERY_WORKER_MAX_TASKS_PER_CHILD
    )
    assert lines[lines.index("--max-memory-per-child") + 1] == str(
        settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD
    )
