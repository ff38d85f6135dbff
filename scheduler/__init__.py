"""The scheduler: periodic jobs and one-off claims that run exactly once across every process
(``scheduler.core``), driven by APScheduler (``scheduler.runner``)."""

from scheduler.core import Job, Occurrence, claim, finish, latest_due, register, registered, run_once, tick, utcnow
from scheduler.runner import init_scheduler, start_in_process

__all__ = ["Job", "Occurrence", "claim", "finish", "init_scheduler", "latest_due", "register", "registered",
           "run_once", "start_in_process", "tick", "utcnow"]
