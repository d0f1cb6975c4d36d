"""Tests of calculator/domain/: the pure core (units, NDCs, dosing, billing, safety, charges,
NPI, 837P files, FDA files). No database."""
