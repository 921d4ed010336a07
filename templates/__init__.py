"""Jinja2 templates of the text targets; shipped inside the package as generator.templates."""
