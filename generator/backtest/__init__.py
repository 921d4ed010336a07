"""Backtest: how often a spec's alerts would have fired, and notified, over a stretch of real history.

A reviewer of a threshold change asks "would this have paged us last week, and how often?". The
answer runs each generated alert's own expression against a real Prometheus as a range query at
its rule group's interval, replays Prometheus's `for` / `keep_firing_for` state machine over the
results, and sends what fires through the spec's routing model and group intervals.

Stages, one module each: `rules` reads the generated rule files, `inline` replaces recording-rule
references by their expressions (history of a changed record does not exist yet), `api` talks to
Prometheus, `states` replays alert states, `notify` replays Alertmanager's grouping, `report`
formats the result.
"""
