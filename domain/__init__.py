"""The rules of the domain, free of storage and screens: period keys, the 2025 change of eras and
validity, the Decree 09 reporting regimes, aggregation rules, targets and text folding.

Nothing here imports the rest of the product; every other package takes its rules from here.
"""
