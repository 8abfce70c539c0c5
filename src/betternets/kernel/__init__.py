"""The kernel side of `betternets grade`: what runs in the grader's sandbox.

    wire        values, frames and the argument diff (the grader imports it too)
    process     limits, seeds, the IPython shell, the one process-tree walker and killer
    server      a kernel's request loop
    forkserver  the template kernel: forks one kernel per submission, sweeps after it
    scratch     removing a folder however deep (the sweep, and the grader's host folders)

Started as `python -m betternets.kernel CONFIG` (`__main__`). Nothing here imports
the grader's package: the sandbox's environment holds only the student package.
"""
