"""Small widgets, each with its own DEFAULT_CSS; they know reports, never the engine."""
