"""Review: what a change to specs does to alerts, routes, dashboards, logs and objectives.

`sides` turns each side of a comparison (a git revision, specs, or an out/ tree) into the catalog facts
of its services (generator/targets/catalog_json.py), `compare` lists the changes between two sides and
marks the ones that weaken detection, `report` writes them for a pull request (markdown) or tools (JSON).
"""
