"""Evidence: one evaluation run's results, read from a harness's result file and recorded in
the repository (`backlog evidence record`).

`formats.py` reads a result file (size cap, UTF-8, format detection) and hands its content
to one module per format (`promptfoo`, `inspect_log`, `junit`, `lm_eval`, `plain`), each of
which returns a `Results`: the metric names the file offers, in that format's namespace,
with their values and sample counts. `record.py` maps an evaluation's metrics onto those
names and writes the record (`schemas/evidence-record.schema.json`).
"""
