"""The domain: catalog services and persistence (no Flask here)."""
