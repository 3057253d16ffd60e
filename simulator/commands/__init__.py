"""Layer 9, commands: what each ``simulator`` command does, as named steps the command line calls.
Imports every layer below it; only ``simulator.cli`` imports it."""
