"""`vastai-guard sweep`: many repositories in one run, each key once across all of them.

sources: what a SOURCE names, mirror clones of URLs; task: one repository, as a worker runs
it; local: worker processes on this machine (the default); dask: tasks on a Dask distributed
cluster (`--scheduler`); state: results kept between runs (`--state`); merge: each key once.
"""
