"""Health, readiness and Prometheus metrics of a running instance (docs/monitoring.md)."""
