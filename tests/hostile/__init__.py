"""The hostile-input corpus of issue 12: every input that once crashed, hung or was silently misread,
each run through the `simulator` command in a subprocess (cases.py holds the table)."""
