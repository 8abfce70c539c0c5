"""Catalog for notebook 00: gradient checking."""
from catalog import edited, right, wrong

NOTEBOOK = "00_gradient_checking"

NUMERICAL_GRADIENT = """
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
"""
"""Central differences on a float copy of x: the base of the entries that break the shared
contract."""

ENTRIES = [
    wrong("numerical_gradient", "forward difference", hint="a forward difference", source="""
        def numerical_gradient(f, x, h=1e-5):
            x = np.array(x, dtype=float)
            grad = np.zeros_like(x)
            fx = f(x)
            for i in np.ndindex(x.shape):
                old = x[i]
                x[i] = old + h
                grad[i] = (f(x) - fx) / h
                x[i] = old
            return grad
    """),
    wrong("numerical_gradient", "x left modified", hint="x left modified", source="""
        def numerical_gradient(f, x, h=1e-5):
            grad = np.zeros_like(x, dtype=float)
            for i in np.ndindex(x.shape):
                old = x[i]
                x[i] = old + h
                f_plus = f(x)
                x[i] = old - h
                f_minus = f(x)
                grad[i] = (f_plus - f_minus) / (2 * h)
            return grad
    """),
    wrong("numerical_gradient", "divides by h instead of 2h", """
        def numerical_gradient(f, x, h=1e-5):
            x = np.array(x, dtype=float)
            grad = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                old = x[i]
                x[i] = old + h
                f_plus = f(x)
                x[i] = old - h
                f_minus = f(x)
                x[i] = old
                grad[i] = (f_plus - f_minus) / h
            return grad
    """),
    wrong("numerical_gradient", "fixed step ignores h", """
        def numerical_gradient(f, x, h=1e-5):
            step = 1e-5
            x = np.array(x, dtype=float)
            grad = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                e = np.zeros_like(x)
                e[i] = step
                grad[i] = (f(x + e) - f(x - e)) / (2 * step)
            return grad
    """),
    right("numerical_gradient", "basis vectors on a flat copy", """
        def numerical_gradient(f, x, h=1e-5):
            x = np.asarray(x, dtype=float)
            flat = x.ravel()
            grad = np.empty(flat.size)
            for k in range(flat.size):
                e = np.zeros(flat.size)
                e[k] = h
                grad[k] = (f((flat + e).reshape(x.shape)) - f((flat - e).reshape(x.shape))) / (2 * h)
            return grad.reshape(x.shape)
    """),
    wrong("relative_error", "mean instead of max",
          hint="an average instead of the worst element", source="""
        def relative_error(a, b):
            a, b = np.asarray(a, float), np.asarray(b, float)
            return float(np.mean(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
    """),
    wrong("relative_error", "missing 1e-8 floor", hint="a missing 1e-8 floor", source="""
        def relative_error(a, b):
            a, b = np.asarray(a, float), np.asarray(b, float)
            return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b))))
    """),
    wrong("relative_error", "divides by |a| only", """
        def relative_error(a, b):
            a, b = np.asarray(a, float), np.asarray(b, float)
            return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a))))
    """),
    wrong("relative_error", "ratio of maxima", """
        def relative_error(a, b):
            a, b = np.asarray(a, float), np.asarray(b, float)
            return float(np.max(np.abs(a - b)) / max(1e-8, np.max(np.abs(a) + np.abs(b))))
    """),
    right("relative_error", "python loop over zipped elements", """
        def relative_error(a, b):
            worst = 0.0
            for x, y in zip(np.ravel(a), np.ravel(b)):
                worst = max(worst, abs(x - y) / max(1e-8, abs(x) + abs(y)))
            return worst
    """),
    # ---------------------------------------------------------------- the shared contract
    wrong("numerical_gradient", "perturbs x in its own integer dtype", fails="float64",
          source=edited(NUMERICAL_GRADIENT, ("np.array(x, dtype=float)", "np.array(x)"),
                        ("grad = np.zeros_like(x)", "grad = np.zeros(x.shape)"))),
    wrong("relative_error", "in float32", fails="float64", source="""
        def relative_error(a, b):
            a, b = np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)
            return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
    """),
    wrong("numerical_gradient", "perturbs the caller's x (np.asarray)", fails="own_copy",
          source=edited(NUMERICAL_GRADIENT, ("np.array(x, dtype=float)", "np.asarray(x, dtype=float)"))),
]
