"""Layer 4, the model: a validated scenario turned into the kernels' inputs (the economy's and the
accounts' parameter records, stress tables, parameter draws), the zero-shock baseline and the goals'
evaluation on paths. Imports the scenario, io, the kernels and the base."""
