"""Conformance runners: the engine measured against public material nobody here wrote.

`sro conformance dmn-tck PATH` runs the DMN TCK (compliance levels 2 and 3) as published;
`sro conformance bpmn PATH` runs the executable diagrams of Camunda 7's own engine tests and
sorts each one into run-as-Camunda-runs-it, refused-with-a-reason, or silent (a defect).
Both print pass rates and the top reasons for failure and can write JSON; `make test` checks the
rates against the floors recorded in `tests/conformance/` (a floor only rises).

The corpora are read where they lie (`../shared/conformance/` beside the repository); nothing is
copied or rewritten.
"""
