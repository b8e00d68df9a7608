"""dxminutes: compare how Japanese municipalities frame digital transformation in their minutes."""

__version__ = "0.1.0"
