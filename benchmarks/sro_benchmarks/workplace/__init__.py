"""`sro bench --workplace`: server time of the inbox and the case file with 100,000 open cases.

A benchmark, not a timed test: it reports figures and whether the target is met, it never fails
on them. The caseload is built in two steps:

1. Templates (`templates.py`). One real case per waiting state (and per priority group where the
   group changes what the case looks like), driven through the real service functions on a
   simulated clock. Their rows are what the product itself writes.
2. Clones (`clones.py`). Each clone copies every row of one template with bulk Core INSERTs, 5,000
   cases per transaction; why a clone is a valid case is said there, and `checks.py` verifies it.

`measurement.py` times the pages, `analysis.py` explains where the time goes, `experiments.py`
tries proposals on the benchmark's own database, `run.py` puts it together.
"""
