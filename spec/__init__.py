"""The spec language JSON Schema, shipped inside the package as generator.spec."""
