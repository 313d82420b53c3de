"""Probes that tell which application is in front and whether the person is there."""
