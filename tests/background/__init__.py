"""Jobs and runners: the in-process and Celery runners, and how the hub behaves while the broker is away."""
