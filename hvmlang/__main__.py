"""`python -m hvmlang` is the same as the `hvm-lang` command."""
from .cli import main

main()
