"""Built-in Jinja2 templates and the hand-written client runtime (templates/runtime)."""
