"""hospital_osh: occupational safety and health management for hospitals."""

__version__ = "0.1.0"
