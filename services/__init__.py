"""Itinera's back-end services: one package per service, plus the shared kernel."""
