"""theory: divergences, mechanisms, certificates and claims of the paper
"A Unified Framework for Randomized Smoothing Based Certified Defenses" (ICLR 2020 submission),
encoded symbolically (sympy) and numerically (numpy, scipy, mpmath).

Data flows one way: mechanism -> divergence -> certificate -> claims / audit / scaling / report.
This package never imports torch.
"""

__version__ = "0.1.0"
