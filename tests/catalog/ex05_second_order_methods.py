"""Catalog for notebook 05: Newton, conjugate gradients and BFGS."""
from catalog import edited, right, wrong

NOTEBOOK = "05_second_order_methods"

# Shared pieces of the longer answers (each entry is still one whole, self-contained cell).
_CG_HEAD = '''
def nonlinear_cg(f, grad_fn, w0, beta="PR", max_iter=1000, tol=1e-6, restart_every=None):
    if beta not in ("FR", "PR"):
        raise ValueError(f"beta must be 'FR' or 'PR', got {beta!r}")
    if restart_every is None:
        restart_every = len(w0)

    def line_search(w, d, g):
        alpha, f0, slope = 1.0, f(w), float(np.dot(g, d))
        while f(w + alpha * d) > f0 + 1e-4 * alpha * slope:
            alpha *= 0.5
        return alpha

    w = np.array(w0, dtype=float)
    path = [w.copy()]
    g_prev = d = None
'''

_BFGS_HEAD = '''
def bfgs(f, grad_fn, w0, max_iter=1000, tol=1e-6):
    def line_search(w, d, g):
        alpha, f0, slope = 1.0, f(w), float(np.dot(g, d))
        while f(w + alpha * d) > f0 + 1e-4 * alpha * slope:
            alpha *= 0.5
        return alpha

    w = np.array(w0, dtype=float)
    n = len(w)
    H = np.eye(n)
    g = np.asarray(grad_fn(w), dtype=float)
    path = [w.copy()]
'''

BFGS = """
def bfgs(f, grad_fn, w0, max_iter=1000, tol=1e-6):
    def line_search(w, d, g):
        alpha, f0, slope = 1.0, f(w), float(np.dot(g, d))
        while f(w + alpha * d) > f0 + 1e-4 * alpha * slope:
            alpha *= 0.5
        return alpha

    w = np.array(w0, dtype=float)
    n = len(w)
    H = np.eye(n)
    g = np.asarray(grad_fn(w), dtype=float)
    path = [w.copy()]
    for _ in range(max_iter):
        if np.linalg.norm(g) < tol:
            break
        d = -H @ g
        w_new = w + line_search(w, d, g) * d
        g_new = np.asarray(grad_fn(w_new), dtype=float)
        s, y = w_new - w, g_new - g
        if y @ s > 0:
            rho = 1.0 / (y @ s)
            V = np.eye(n) - rho * np.outer(y, s)
            H = V.T @ H @ V + rho * np.outer(s, s)
        w, g = w_new, g_new
        path.append(w.copy())
    return w, np.array(path)
"""
"""The solution's bfgs: the base of the entries that break the shared contract."""

ENTRIES = [
    # ------------------------------------------------------------------ newton_step
    wrong("newton_step", "H @ g instead of a solve", hint='multiplying by H instead of solving with it', source="""
        def newton_step(w, g, H, lr=1.0):
            return np.asarray(w, float) - lr * np.asarray(H, float) @ np.asarray(g, float)
    """),
    wrong("newton_step", "divides by the diagonal of H", """
        def newton_step(w, g, H, lr=1.0):
            H = np.asarray(H, float)
            return np.asarray(w, float) - lr * np.asarray(g, float) / np.diag(H)
    """),
    wrong("newton_step", "plus sign (steps uphill)", hint='a Newton step uphill', source="""
        def newton_step(w, g, H, lr=1.0):
            return np.asarray(w, float) + lr * np.linalg.solve(np.asarray(H, float), np.asarray(g, float))
    """),
    wrong("newton_step", "ignores lr", """
        def newton_step(w, g, H, lr=1.0):
            return np.asarray(w, float) - np.linalg.solve(np.asarray(H, float), np.asarray(g, float))
    """),
    right("newton_step", "explicit inverse", """
        def newton_step(w, g, H, lr=1.0):
            H_inv = np.linalg.inv(np.array(H, dtype=float))
            return np.array(w, dtype=float) - lr * H_inv @ np.array(g, dtype=float)
    """),
    right("newton_step", "least squares solve", """
        def newton_step(w, g, H, lr=1.0):
            p = np.linalg.lstsq(np.asarray(H, float), np.asarray(g, float), rcond=None)[0]
            return np.asarray(w, float) - lr * p
    """),

    # ------------------------------------------------------------------ classify_critical_point
    wrong("classify_critical_point", "determinant test for saddles in 3-D", """
        def classify_critical_point(H, tol=1e-8):
            H = np.asarray(H, float)
            det, trace = np.linalg.det(H), np.trace(H)
            if abs(det) <= tol:
                return "degenerate"
            if det < 0:
                return "saddle"
            return "minimum" if trace > 0 else "maximum"
    """),
    wrong("classify_critical_point", "signs of the diagonal", """
        def classify_critical_point(H, tol=1e-8):
            diag = np.diag(np.asarray(H, float))
            if np.any(diag > tol) and np.any(diag < -tol):
                return "saddle"
            if np.all(diag > tol):
                return "minimum"
            if np.all(diag < -tol):
                return "maximum"
            return "degenerate"
    """),
    wrong("classify_critical_point", "exact zero test ignores tol", """
        def classify_critical_point(H, tol=1e-8):
            lam = np.linalg.eigvalsh(np.asarray(H, float))
            if np.any(lam > 0) and np.any(lam < 0):
                return "saddle"
            if np.all(lam > 0):
                return "minimum"
            if np.all(lam < 0):
                return "maximum"
            return "degenerate"
    """),
    right("classify_critical_point", "eig real parts and counted signs", """
        def classify_critical_point(H, tol=1e-8):
            lam = np.real(np.linalg.eig(np.asarray(H, dtype=float))[0])
            n_pos = int(np.sum(lam > tol))
            n_neg = int(np.sum(lam < -tol))
            if n_pos and n_neg:
                return "saddle"
            if n_pos == len(lam):
                return "minimum"
            if n_neg == len(lam):
                return "maximum"
            return "degenerate"
    """),

    # ------------------------------------------------------------------ backtracking_line_search
    wrong("backtracking_line_search", "Armijo sign flipped", """
        def backtracking_line_search(f, grad_fn, w, d, alpha0=1.0, rho=0.5, c=1e-4):
            w, d = np.asarray(w, float), np.asarray(d, float)
            f0, slope = f(w), float(grad_fn(w) @ d)
            alpha = alpha0
            while f(w + alpha * d) > f0 - c * alpha * slope:
                alpha *= rho
            return alpha
    """),
    wrong("backtracking_line_search", "never backtracks", """
        def backtracking_line_search(f, grad_fn, w, d, alpha0=1.0, rho=0.5, c=1e-4):
            return alpha0
    """),
    wrong("backtracking_line_search", "simple decrease without c", """
        def backtracking_line_search(f, grad_fn, w, d, alpha0=1.0, rho=0.5, c=1e-4):
            w, d = np.asarray(w, float), np.asarray(d, float)
            alpha = alpha0
            while f(w + alpha * d) > f(w):
                alpha *= rho
            return alpha
    """),
    wrong("backtracking_line_search", "fixed rho of one half", """
        def backtracking_line_search(f, grad_fn, w, d, alpha0=1.0, rho=0.5, c=1e-4):
            w, d = np.asarray(w, float), np.asarray(d, float)
            f0, slope = f(w), float(grad_fn(w) @ d)
            alpha = alpha0
            while f(w + alpha * d) > f0 + c * alpha * slope:
                alpha /= 2
            return alpha
    """),
    right("backtracking_line_search", "for loop over k", """
        def backtracking_line_search(f, grad_fn, w, d, alpha0=1.0, rho=0.5, c=1e-4):
            w = np.asarray(w, dtype=float)
            d = np.asarray(d, dtype=float)
            fw = f(w)
            gd = np.sum(grad_fn(w) * d)
            for k in range(2000):
                alpha = alpha0 * rho ** k
                if f(w + alpha * d) <= fw + c * alpha * gd:
                    return alpha
            return alpha
    """),

    # ------------------------------------------------------------------ fletcher_reeves_beta
    wrong("fletcher_reeves_beta", "ratio upside down", """
        def fletcher_reeves_beta(g_new, g_old):
            g_new, g_old = np.asarray(g_new, float), np.asarray(g_old, float)
            return float(g_old @ g_old / (g_new @ g_new))
    """),
    wrong("fletcher_reeves_beta", "norms not squared", """
        def fletcher_reeves_beta(g_new, g_old):
            return float(np.linalg.norm(g_new) / np.linalg.norm(g_old))
    """),
    wrong("fletcher_reeves_beta", "mixed product on top", """
        def fletcher_reeves_beta(g_new, g_old):
            g_new, g_old = np.asarray(g_new, float), np.asarray(g_old, float)
            return float(g_new @ g_old / (g_old @ g_old))
    """),
    right("fletcher_reeves_beta", "squared norms", """
        def fletcher_reeves_beta(g_new, g_old):
            return float(np.linalg.norm(g_new) ** 2 / np.linalg.norm(g_old) ** 2)
    """),

    # ------------------------------------------------------------------ polak_ribiere_beta
    wrong("polak_ribiere_beta", "PR without the max", hint='Polak-Ribiere without the max(0, .)', source="""
        def polak_ribiere_beta(g_new, g_old):
            g_new, g_old = np.asarray(g_new, float), np.asarray(g_old, float)
            return float((g_new - g_old) @ g_new / (g_old @ g_old))
    """),
    wrong("polak_ribiere_beta", "difference reversed", """
        def polak_ribiere_beta(g_new, g_old):
            g_new, g_old = np.asarray(g_new, float), np.asarray(g_old, float)
            return float(max(0.0, (g_old - g_new) @ g_new / (g_old @ g_old)))
    """),
    wrong("polak_ribiere_beta", "divides by the new gradient", """
        def polak_ribiere_beta(g_new, g_old):
            g_new, g_old = np.asarray(g_new, float), np.asarray(g_old, float)
            return float(max(0.0, (g_new - g_old) @ g_new / (g_new @ g_new)))
    """),
    right("polak_ribiere_beta", "clip after the division", """
        def polak_ribiere_beta(g_new, g_old):
            g_new = np.asarray(g_new, dtype=float)
            g_old = np.asarray(g_old, dtype=float)
            beta = np.sum(g_new * g_new) - np.sum(g_new * g_old)
            beta = beta / np.sum(g_old ** 2)
            return float(np.clip(beta, 0.0, None))
    """),

    # ------------------------------------------------------------------ linear_cg
    wrong("linear_cg", "steepest descent passed off as CG", """
        def linear_cg(A, b, x0=None, tol=1e-10):
            A, b = np.asarray(A, float), np.asarray(b, float)
            x = np.zeros_like(b) if x0 is None else np.array(x0, float)
            path = [x.copy()]
            for _ in range(10 * len(b)):
                r = A @ x - b
                if np.linalg.norm(r) < tol:
                    break
                x = x - (r @ r) / (r @ A @ r) * r
                path.append(x.copy())
            return x, np.array(path)
    """),
    wrong("linear_cg", "beta upside down", """
        def linear_cg(A, b, x0=None, tol=1e-10):
            A, b = np.asarray(A, float), np.asarray(b, float)
            x = np.zeros_like(b) if x0 is None else np.array(x0, float)
            r = A @ x - b
            d = -r
            path = [x.copy()]
            for _ in range(10 * len(b)):
                if np.linalg.norm(r) < tol:
                    break
                Ad = A @ d
                alpha = (r @ r) / (d @ Ad)
                x = x + alpha * d
                r_new = r + alpha * Ad
                beta = (r @ r) / (r_new @ r_new)
                d = -r_new + beta * d
                r = r_new
                path.append(x.copy())
            return x, np.array(path)
    """),
    wrong("linear_cg", "step length without A", """
        def linear_cg(A, b, x0=None, tol=1e-10):
            A, b = np.asarray(A, float), np.asarray(b, float)
            x = np.zeros_like(b) if x0 is None else np.array(x0, float)
            r = A @ x - b
            d = -r
            path = [x.copy()]
            for _ in range(10 * len(b)):
                if np.linalg.norm(r) < tol:
                    break
                alpha = (r @ r) / (d @ d)
                x = x + alpha * d
                r_new = A @ x - b
                beta = (r_new @ r_new) / (r @ r)
                d = -r_new + beta * d
                r = r_new
                path.append(x.copy())
            return x, np.array(path)
    """),
    right("linear_cg", "residual b - A x and conjugacy beta", """
        def linear_cg(A, b, x0=None, tol=1e-10):
            A = np.asarray(A, dtype=float)
            b = np.asarray(b, dtype=float)
            x = np.zeros(len(b)) if x0 is None else np.asarray(x0, dtype=float).copy()
            path = [x]
            r = b - A @ x
            p = r.copy()
            while np.linalg.norm(r) >= tol and len(path) <= 10 * len(b):
                Ap = A @ p
                alpha = (r @ p) / (p @ Ap)
                x = x + alpha * p
                r = b - A @ x
                p = r - (r @ Ap) / (p @ Ap) * p
                path.append(x)
            return x, path
    """),

    # ------------------------------------------------------------------ nonlinear_cg
    wrong("nonlinear_cg", "the slide's +g direction", _CG_HEAD + '''
    for k in range(max_iter):
        g = np.asarray(grad_fn(w), dtype=float)
        if np.linalg.norm(g) < tol:
            break
        if k % restart_every == 0:
            d = -g
        else:
            if beta == "FR":
                b = (g @ g) / (g_prev @ g_prev)
            else:
                b = max(0.0, (g - g_prev) @ g / (g_prev @ g_prev))
            d = g + b * d
            if g @ d >= 0:
                d = -g
        w = w + line_search(w, d, g) * d
        g_prev = g
        path.append(w.copy())
    return w, np.array(path)
'''),
    wrong("nonlinear_cg", "steepest descent passed off as CG", _CG_HEAD + '''
    for k in range(max_iter):
        g = np.asarray(grad_fn(w), dtype=float)
        if np.linalg.norm(g) < tol:
            break
        d = -g
        w = w + line_search(w, d, g) * d
        path.append(w.copy())
    return w, np.array(path)
'''),
    wrong("nonlinear_cg", "PR without the max", _CG_HEAD + '''
    for k in range(max_iter):
        g = np.asarray(grad_fn(w), dtype=float)
        if np.linalg.norm(g) < tol:
            break
        if k % restart_every == 0:
            d = -g
        else:
            if beta == "FR":
                b = (g @ g) / (g_prev @ g_prev)
            else:
                b = (g - g_prev) @ g / (g_prev @ g_prev)
            d = -g + b * d
            if g @ d >= 0:
                d = -g
        w = w + line_search(w, d, g) * d
        g_prev = g
        path.append(w.copy())
    return w, np.array(path)
'''),
    wrong("nonlinear_cg", "no periodic restart", _CG_HEAD + '''
    for k in range(max_iter):
        g = np.asarray(grad_fn(w), dtype=float)
        if np.linalg.norm(g) < tol:
            break
        if k == 0:
            d = -g
        else:
            if beta == "FR":
                b = (g @ g) / (g_prev @ g_prev)
            else:
                b = max(0.0, (g - g_prev) @ g / (g_prev @ g_prev))
            d = -g + b * d
            if g @ d >= 0:
                d = -g
        w = w + line_search(w, d, g) * d
        g_prev = g
        path.append(w.copy())
    return w, np.array(path)
'''),
    wrong("nonlinear_cg", "unknown rule silently means FR", '''
def nonlinear_cg(f, grad_fn, w0, beta="PR", max_iter=1000, tol=1e-6, restart_every=None):
    if restart_every is None:
        restart_every = len(w0)

    def line_search(w, d, g):
        alpha, f0, slope = 1.0, f(w), float(np.dot(g, d))
        while f(w + alpha * d) > f0 + 1e-4 * alpha * slope:
            alpha *= 0.5
        return alpha

    w = np.array(w0, dtype=float)
    path = [w.copy()]
    g_prev = d = None
    for k in range(max_iter):
        g = np.asarray(grad_fn(w), dtype=float)
        if np.linalg.norm(g) < tol:
            break
        if k % restart_every == 0:
            d = -g
        else:
            if beta == "PR":
                b = max(0.0, (g - g_prev) @ g / (g_prev @ g_prev))
            else:
                b = (g @ g) / (g_prev @ g_prev)
            d = -g + b * d
            if g @ d >= 0:
                d = -g
        w = w + line_search(w, d, g) * d
        g_prev = g
        path.append(w.copy())
    return w, np.array(path)
'''),
    right("nonlinear_cg", "restart counter reset at every restart", '''
def nonlinear_cg(f, grad_fn, w0, beta="PR", max_iter=1000, tol=1e-6, restart_every=None):
    rules = {
        "FR": lambda g, gp: g.dot(g) / gp.dot(gp),
        "PR": lambda g, gp: max(0.0, g.dot(g - gp) / gp.dot(gp)),
    }
    if beta not in rules:
        raise ValueError("unknown beta rule: beta must be one of " + ", ".join(rules))
    every = len(w0) if restart_every is None else restart_every
    w = np.asarray(w0, dtype=float).copy()
    path = [w]
    g = np.asarray(grad_fn(w), dtype=float)
    d = -g
    since_restart = 0
    for _ in range(max_iter):
        if np.linalg.norm(g) < tol:
            break
        alpha, f0, slope = 1.0, f(w), float(g.dot(d))
        while f(w + alpha * d) > f0 + 1e-4 * alpha * slope:
            alpha = alpha * 0.5
        w = w + alpha * d
        path.append(w)
        g_new = np.asarray(grad_fn(w), dtype=float)
        since_restart += 1
        if since_restart >= every:
            d, since_restart = -g_new, 0
        else:
            d = -g_new + rules[beta](g_new, g) * d
            if g_new.dot(d) >= 0:
                d, since_restart = -g_new, 0
        g = g_new
    return w, np.array(path)
'''),

    # ------------------------------------------------------------------ bfgs_update
    wrong("bfgs_update", "direct update applied to the inverse", hint='the Hessian (B) update applied to the inverse', source="""
        def bfgs_update(H_inv, s, y):
            H, s, y = np.asarray(H_inv, float), np.asarray(s, float), np.asarray(y, float)
            Hs = H @ s
            return H + np.outer(y, y) / (y @ s) - np.outer(Hs, Hs) / (s @ Hs)
    """),
    wrong("bfgs_update", "rho = 1/(s.s)", """
        def bfgs_update(H_inv, s, y):
            H, s, y = np.asarray(H_inv, float), np.asarray(s, float), np.asarray(y, float)
            rho = 1.0 / (s @ s)
            I = np.eye(len(s))
            return (I - rho * np.outer(s, y)) @ H @ (I - rho * np.outer(y, s)) + rho * np.outer(s, s)
    """),
    wrong("bfgs_update", "outer products swapped", """
        def bfgs_update(H_inv, s, y):
            H, s, y = np.asarray(H_inv, float), np.asarray(s, float), np.asarray(y, float)
            rho = 1.0 / (y @ s)
            I = np.eye(len(s))
            return (I - rho * np.outer(y, s)) @ H @ (I - rho * np.outer(s, y)) + rho * np.outer(s, s)
    """),
    right("bfgs_update", "expanded formula", """
        def bfgs_update(H_inv, s, y):
            H = np.asarray(H_inv, dtype=float)
            s = np.asarray(s, dtype=float)
            y = np.asarray(y, dtype=float)
            sy = s @ y
            Hy = H @ y
            return (H + (sy + y @ Hy) * np.outer(s, s) / sy ** 2
                    - (np.outer(Hy, s) + np.outer(s, Hy)) / sy)
    """),

    # ------------------------------------------------------------------ bfgs
    wrong("bfgs", "never updates H", _BFGS_HEAD + '''
    for _ in range(max_iter):
        if np.linalg.norm(g) < tol:
            break
        d = -H @ g
        w = w + line_search(w, d, g) * d
        g = np.asarray(grad_fn(w), dtype=float)
        path.append(w.copy())
    return w, np.array(path)
'''),
    wrong("bfgs", "direct update applied to the inverse", _BFGS_HEAD + '''
    for _ in range(max_iter):
        if np.linalg.norm(g) < tol:
            break
        d = -H @ g
        w_new = w + line_search(w, d, g) * d
        g_new = np.asarray(grad_fn(w_new), dtype=float)
        s, y = w_new - w, g_new - g
        if y @ s > 0:
            Hs = H @ s
            H = H + np.outer(y, y) / (y @ s) - np.outer(Hs, Hs) / (s @ Hs)
        w, g = w_new, g_new
        path.append(w.copy())
    return w, np.array(path)
'''),
    wrong("bfgs", "updates even when y.s <= 0", _BFGS_HEAD + '''
    for _ in range(max_iter):
        if np.linalg.norm(g) < tol:
            break
        d = -H @ g
        w_new = w + line_search(w, d, g) * d
        g_new = np.asarray(grad_fn(w_new), dtype=float)
        s, y = w_new - w, g_new - g
        rho = 1.0 / (y @ s)
        V = np.eye(n) - rho * np.outer(y, s)
        H = V.T @ H @ V + rho * np.outer(s, s)
        w, g = w_new, g_new
        path.append(w.copy())
    return w, np.array(path)
'''),
    wrong("bfgs", "rho = 1/(s.s)", _BFGS_HEAD + '''
    for _ in range(max_iter):
        if np.linalg.norm(g) < tol:
            break
        d = -H @ g
        w_new = w + line_search(w, d, g) * d
        g_new = np.asarray(grad_fn(w_new), dtype=float)
        s, y = w_new - w, g_new - g
        if y @ s > 0:
            rho = 1.0 / (s @ s)
            V = np.eye(n) - rho * np.outer(y, s)
            H = V.T @ H @ V + rho * np.outer(s, s)
        w, g = w_new, g_new
        path.append(w.copy())
    return w, np.array(path)
'''),
    right("bfgs", "Hessian approximation B with a solve", '''
def bfgs(f, grad_fn, w0, max_iter=1000, tol=1e-6):
    w = np.asarray(w0, dtype=float).copy()
    B = np.eye(len(w))                       # approximates the Hessian itself
    g = np.asarray(grad_fn(w), dtype=float)
    path = [w]
    it = 0
    while it < max_iter and np.linalg.norm(g) >= tol:
        d = -np.linalg.solve(B, g)
        alpha, f0, slope = 1.0, f(w), float(g @ d)
        while f(w + alpha * d) > f0 + 1e-4 * alpha * slope:
            alpha *= 0.5
        w_new = w + alpha * d
        g_new = np.asarray(grad_fn(w_new), dtype=float)
        s, y = w_new - w, g_new - g
        if s @ y > 0:                          # direct BFGS update, equivalent to NW06 6.17
            Bs = B @ s
            B = B + np.outer(y, y) / (y @ s) - np.outer(Bs, Bs) / (s @ Bs)
        w, g = w_new, g_new
        path.append(w)
        it += 1
    return w, np.array(path)
'''),
    wrong("nonlinear_cg", "Armijo bar with the sign of c alpha g.d flipped", """
        def nonlinear_cg(f, grad_fn, w0, beta="PR", max_iter=1000, tol=1e-6, restart_every=None):
            if beta not in ("FR", "PR"):
                raise ValueError(f"beta must be 'FR' or 'PR', got {beta!r}")
            restart_every = restart_every or len(w0)
            w = np.array(w0, dtype=float)
            path, g_prev, d = [w.copy()], None, None
            for k in range(max_iter):
                g = np.asarray(grad_fn(w), dtype=float)
                if np.linalg.norm(g) < tol:
                    break
                if k % restart_every == 0:
                    d = -g
                else:
                    b = (g @ g) / (g_prev @ g_prev) if beta == "FR" else \
                        max(0.0, (g - g_prev) @ g / (g_prev @ g_prev))
                    d = -g + b * d
                    if g @ d >= 0:
                        d = -g
                alpha, f0, slope = 1.0, f(w), g @ d
                while f(w + alpha * d) > f0 - 1e-4 * alpha * slope:
                    alpha *= 0.5
                w = w + alpha * d
                g_prev = g
                path.append(w.copy())
            return w, np.array(path)
    """),
    wrong("nonlinear_cg", "Armijo constant 1.5e-4", """
        def nonlinear_cg(f, grad_fn, w0, beta="PR", max_iter=1000, tol=1e-6, restart_every=None):
            if beta not in ("FR", "PR"):
                raise ValueError(f"beta must be 'FR' or 'PR', got {beta!r}")
            restart_every = restart_every or len(w0)
            w = np.array(w0, dtype=float)
            path, g_prev, d = [w.copy()], None, None
            for k in range(max_iter):
                g = np.asarray(grad_fn(w), dtype=float)
                if np.linalg.norm(g) < tol:
                    break
                if k % restart_every == 0:
                    d = -g
                else:
                    b = (g @ g) / (g_prev @ g_prev) if beta == "FR" else \
                        max(0.0, (g - g_prev) @ g / (g_prev @ g_prev))
                    d = -g + b * d
                    if g @ d >= 0:
                        d = -g
                alpha, f0, slope = 1.0, f(w), g @ d
                while f(w + alpha * d) > f0 + 1.5e-4 * alpha * slope:
                    alpha *= 0.5
                w = w + alpha * d
                g_prev = g
                path.append(w.copy())
            return w, np.array(path)
    """),
    wrong("bfgs", "Armijo bar with the sign of c alpha g.d flipped", """
        def bfgs(f, grad_fn, w0, max_iter=1000, tol=1e-6):
            w = np.array(w0, dtype=float)
            H = np.eye(len(w))
            g = np.asarray(grad_fn(w), dtype=float)
            path = [w.copy()]
            for _ in range(max_iter):
                if np.linalg.norm(g) < tol:
                    break
                d = -H @ g
                alpha, f0, slope = 1.0, f(w), g @ d
                while f(w + alpha * d) > f0 - 1e-4 * alpha * slope:
                    alpha *= 0.5
                w_new = w + alpha * d
                g_new = np.asarray(grad_fn(w_new), dtype=float)
                s, y = w_new - w, g_new - g
                if y @ s > 0:
                    rho = 1.0 / (y @ s)
                    V = np.eye(len(w)) - rho * np.outer(y, s)
                    H = V.T @ H @ V + rho * np.outer(s, s)
                w, g = w_new, g_new
                path.append(w.copy())
            return w, np.array(path)
    """),
    wrong("bfgs", "Armijo constant 1.5e-4", """
        def bfgs(f, grad_fn, w0, max_iter=1000, tol=1e-6):
            w = np.array(w0, dtype=float)
            H = np.eye(len(w))
            g = np.asarray(grad_fn(w), dtype=float)
            path = [w.copy()]
            for _ in range(max_iter):
                if np.linalg.norm(g) < tol:
                    break
                d = -H @ g
                alpha, f0, slope = 1.0, f(w), g @ d
                while f(w + alpha * d) > f0 + 1.5e-4 * alpha * slope:
                    alpha *= 0.5
                w_new = w + alpha * d
                g_new = np.asarray(grad_fn(w_new), dtype=float)
                s, y = w_new - w, g_new - g
                if y @ s > 0:
                    rho = 1.0 / (y @ s)
                    V = np.eye(len(w)) - rho * np.outer(y, s)
                    H = V.T @ H @ V + rho * np.outer(s, s)
                w, g = w_new, g_new
                path.append(w.copy())
            return w, np.array(path)
    """),
    wrong("bfgs", "updates H when y.s = 0", """
        def bfgs(f, grad_fn, w0, max_iter=1000, tol=1e-6):
            w = np.array(w0, dtype=float)
            H = np.eye(len(w))
            g = np.asarray(grad_fn(w), dtype=float)
            path = [w.copy()]
            for _ in range(max_iter):
                if np.linalg.norm(g) < tol:
                    break
                d = -H @ g
                alpha, f0, slope = 1.0, f(w), g @ d
                while f(w + alpha * d) > f0 + 1e-4 * alpha * slope:
                    alpha *= 0.5
                w_new = w + alpha * d
                g_new = np.asarray(grad_fn(w_new), dtype=float)
                s, y = w_new - w, g_new - g
                if y @ s >= 0:
                    rho = 1.0 / (y @ s)
                    V = np.eye(len(w)) - rho * np.outer(y, s)
                    H = V.T @ H @ V + rho * np.outer(s, s)
                w, g = w_new, g_new
                path.append(w.copy())
            return w, np.array(path)
    """),
    wrong("classify_critical_point", "an eigenvalue of exactly tol counts as nonzero", """
        def classify_critical_point(H, tol=1e-8):
            lam = np.linalg.eigvalsh(np.asarray(H, dtype=float))
            pos, neg = np.any(lam >= tol), np.any(lam <= -tol)
            if pos and neg:
                return "saddle"
            if np.all(lam >= tol):
                return "minimum"
            if np.all(lam <= -tol):
                return "maximum"
            return "degenerate"
    """),
    # ---------------------------------------------------------------- the shared contract
    wrong("bfgs", "Armijo with ones_like(slope)", fails="armijo_scale",
          source=edited(BFGS, ("1e-4 * alpha * slope", "1e-4 * alpha * np.ones_like(slope)"))),
    wrong("bfgs", "starts from w0 itself", fails="new_objects",
          source=edited(BFGS, ("w = np.array(w0, dtype=float)", "w = np.asarray(w0, dtype=float)"))),
    wrong("linear_cg", "starts from x0 itself", fails="new_objects", source="""
        def linear_cg(A, b, x0=None, tol=1e-10):
            A = np.asarray(A, dtype=float)
            b = np.asarray(b, dtype=float)
            x = np.zeros_like(b) if x0 is None else np.asarray(x0, dtype=float)
            r = A @ x - b
            d = -r
            path = [x.copy()]
            for _ in range(10 * len(b)):
                if np.linalg.norm(r) < tol:
                    break
                Ad = A @ d
                alpha = (r @ r) / (d @ Ad)
                x = x + alpha * d
                r_new = r + alpha * Ad
                beta = (r_new @ r_new) / (r @ r)
                d = -r_new + beta * d
                r = r_new
                path.append(x.copy())
            return x, np.array(path)
    """),
    wrong("fletcher_reeves_beta", "in float32", fails="float64", source="""
        def fletcher_reeves_beta(g_new, g_old):
            g_new = np.asarray(g_new, dtype=np.float32)
            g_old = np.asarray(g_old, dtype=np.float32)
            return g_new @ g_new / (g_old @ g_old)
    """),
    wrong("backtracking_line_search", "alpha in the direction's dtype", fails="float64", source="""
        def backtracking_line_search(f, grad_fn, w, d, alpha0=1.0, rho=0.5, c=1e-4):
            d = np.asarray(d)
            f0 = f(w)
            slope = float(np.dot(grad_fn(w), d))
            alpha = np.array(alpha0, dtype=d.dtype)
            while f(w + alpha * d) > f0 + c * alpha * slope:
                alpha *= rho
            return alpha
    """),
]
