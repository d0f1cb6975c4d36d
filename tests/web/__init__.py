"""Tests of calculator/web/ and the admin: the pages as pharmacists, clerks and administrators
use them."""
