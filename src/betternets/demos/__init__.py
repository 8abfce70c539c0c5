"""The computations behind the notebooks' demonstrations, one module per notebook topic.

A demonstration's figure and the test that checks its claim (tests/e2e/test_demonstrations.py)
call the same function here, so the text, the figure and the test cannot drift apart. The
functions take the student's own exercise functions as arguments where a demonstration uses them.
"""
