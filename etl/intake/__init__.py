"""Intake: bytes of a submitted file to a table, to findings or typed records
(all-or-nothing). Knows the domain; writes nothing."""
