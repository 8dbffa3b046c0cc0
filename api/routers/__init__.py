"""One router per resource; each route parses, calls the core, and shapes the answer."""
