"""hvm-lang: a functional language compiled to interaction nets and reduced by Numba."""
__version__ = "0.1.0"
