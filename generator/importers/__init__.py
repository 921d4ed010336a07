"""Importers: other tools' definitions turned into monspec specs (`monspec import`)."""
