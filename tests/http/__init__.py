"""Tests of calculator/http/ and the deployment settings: security headers, sign-in, health."""
