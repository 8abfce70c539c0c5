"""The grading sandbox: whether bubblewrap works here (`probe`), the view and
namespaces it gives a kernel (`bwrap`), and its seccomp filter (`seccomp`)."""
