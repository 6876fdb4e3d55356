"""The dedicated APScheduler process and its polling jobs (hub.scheduler)."""
