"""Prometheus metrics for operators: counts and timings, never personal data in labels."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

QUESTIONS = Counter("helpline_questions_total", "Questions received, by language and decision",
                    ["lang", "decision"], registry=REGISTRY)
ESCALATIONS = Counter("helpline_escalations_total", "Questions sent to a consultant",
                      ["priority"], registry=REGISTRY)
DELIVERY_FAILURES = Counter("helpline_delivery_failures_total",
                            "Outbox messages that could not be delivered", ["reason"],
                            registry=REGISTRY)
QUEUE_DEPTH = Gauge("helpline_queue_depth", "Tickets waiting, by state", ["state"],
                    registry=REGISTRY)
HANDLER_SECONDS = Histogram("helpline_handler_seconds", "Time to handle one update",
                            registry=REGISTRY,
                            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
