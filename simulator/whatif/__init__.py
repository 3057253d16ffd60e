"""Layer 7, what-if: policy variants on common random numbers, sweeps, comparisons, the solver, the
känslighetsanalys, the assumption table and paired differences. Imports every layer below it."""
