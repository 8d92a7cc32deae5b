"""Mutation harness: plant each bug of :data:`tests.mutation.mutants.MUTANTS` in a temporary copy of the tree and
check that the listed default-suite tests fail (``python -m tests.mutation``)."""
