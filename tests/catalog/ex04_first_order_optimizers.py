"""Catalog for notebook 04: first-order optimizers, momentum to Adam."""
from catalog import right, wrong

NOTEBOOK = "04_first_order_optimizers"

ENTRIES = [
    # ------------------------------------------------------------------ sgd_update
    wrong("sgd_update", "slide's plus sign", """
        def sgd_update(w, g, state, *, lr):
            return np.asarray(w, dtype=float) + lr * np.asarray(g, dtype=float), {}
    """),
    wrong("sgd_update", "updates w in place", """
        def sgd_update(w, g, state, *, lr):
            w -= lr * g
            return w, state
    """),
    wrong("sgd_update", "fixed learning rate", """
        def sgd_update(w, g, state, *, lr):
            return np.asarray(w, dtype=float) - 0.1 * np.asarray(g, dtype=float), {}
    """),
    right("sgd_update", "returns a copy of the state", """
        def sgd_update(w, g, state, *, lr):
            w_new = np.subtract(w, np.multiply(lr, g))
            return w_new, dict(state)
    """),
    # ------------------------------------------------------------------ momentum_update
    wrong("momentum_update", "velocity subtracted instead of added", """
        def momentum_update(w, g, state, *, lr, beta=0.9):
            v = beta * state.get("v", np.zeros(np.shape(w))) - lr * np.asarray(g, dtype=float)
            return np.asarray(w, dtype=float) - v, {"v": v}
    """),
    wrong("momentum_update", "state not carried", hint='momentum whose velocity is not carried', source="""
        def momentum_update(w, g, state, *, lr, beta=0.9):
            v = beta * np.zeros(np.shape(w)) - lr * np.asarray(g, dtype=float)
            return np.asarray(w, dtype=float) + v, {"v": v}
    """),
    wrong("momentum_update", "state mutated in place", """
        def momentum_update(w, g, state, *, lr, beta=0.9):
            if "v" not in state:
                state["v"] = np.zeros(np.shape(w))
            state["v"] *= beta
            state["v"] -= lr * np.asarray(g, dtype=float)
            return np.asarray(w, dtype=float) + state["v"], state
    """),
    wrong("momentum_update", "friction beta instead of 1 - beta", """
        def momentum_update(w, g, state, *, lr, beta=0.9):
            v = (1 - beta) * state.get("v", np.zeros(np.shape(w))) - lr * np.asarray(g, dtype=float)
            return np.asarray(w, dtype=float) + v, {"v": v}
    """),
    wrong("momentum_update", "velocity in gradient units (lr outside)", """
        def momentum_update(w, g, state, *, lr, beta=0.9):
            v = beta * state.get("v", np.zeros(np.shape(w))) + (1 - beta) * np.asarray(g, dtype=float)
            return np.asarray(w, dtype=float) - lr * v, {"v": v}
    """),
    right("momentum_update", "negated velocity kept in the state", """
        def momentum_update(w, g, state, *, lr, beta=0.9):
            u = beta * state.get("u", 0.0) + lr * np.asarray(g, dtype=float)   # u = -v
            return np.asarray(w, dtype=float) - u, {"u": u}
    """),
    # ------------------------------------------------------------------ nesterov_update
    wrong("nesterov_update", "gradient at w instead of the look-ahead", """
        def nesterov_update(w, grad_fn, state, *, lr, beta=0.9):
            w = np.asarray(w, dtype=float)
            v = beta * state.get("v", np.zeros(w.shape)) - lr * grad_fn(w)
            return w + v, {"v": v}
    """),
    wrong("nesterov_update", "look-ahead at w + v instead of w + beta v", """
        def nesterov_update(w, grad_fn, state, *, lr, beta=0.9):
            w = np.asarray(w, dtype=float)
            v = state.get("v", np.zeros(w.shape))
            v = beta * v - lr * grad_fn(w + v)
            return w + v, {"v": v}
    """),
    wrong("nesterov_update", "state not carried", """
        def nesterov_update(w, grad_fn, state, *, lr, beta=0.9):
            w = np.asarray(w, dtype=float)
            v = np.zeros(w.shape)
            v = beta * v - lr * grad_fn(w + beta * v)
            return w + v, {"v": v}
    """),
    wrong("nesterov_update", "velocity updated in place in the state", """
        def nesterov_update(w, grad_fn, state, *, lr, beta=0.9):
            w = np.asarray(w, dtype=float)
            v = state.setdefault("v", np.zeros(w.shape))
            look = grad_fn(w + beta * v)
            v *= beta
            v -= lr * look
            return w + v, state
    """),
    right("nesterov_update", "Sutskever form with the step written out", """
        def nesterov_update(w, grad_fn, state, *, lr, beta=0.9):
            w = np.array(w, dtype=float)
            old = state["v"] if "v" in state else 0.0 * w
            ahead = w + beta * old
            new = beta * old - lr * np.asarray(grad_fn(ahead))
            return ahead - beta * old + new, {"v": new}
    """),
    # ------------------------------------------------------------------ delta_bar_delta_update
    wrong("delta_bar_delta_update", "multiplicative increase", """
        def delta_bar_delta_update(w, g, state, *, lr0=0.01, kappa=1e-3, phi=0.1, theta=0.7):
            g = np.asarray(g, dtype=float)
            rate = state.get("rate", np.full(g.shape, float(lr0)))
            bar = state.get("bar", np.zeros(g.shape))
            rate = np.where(bar * g > 0, rate * (1 + kappa), np.where(bar * g < 0, rate * (1 - phi), rate))
            return np.asarray(w, dtype=float) - rate * g, {"rate": rate, "bar": (1 - theta) * g + theta * bar}
    """),
    wrong("delta_bar_delta_update", "compares with the previous gradient, not the average", """
        def delta_bar_delta_update(w, g, state, *, lr0=0.01, kappa=1e-3, phi=0.1, theta=0.7):
            g = np.asarray(g, dtype=float)
            rate = state.get("rate", np.full(g.shape, float(lr0)))
            prev = state.get("prev", np.zeros(g.shape))
            rate = np.where(prev * g > 0, rate + kappa, np.where(prev * g < 0, rate * (1 - phi), rate))
            return np.asarray(w, dtype=float) - rate * g, {"rate": rate, "prev": g}
    """),
    wrong("delta_bar_delta_update", "bar updated before the comparison", """
        def delta_bar_delta_update(w, g, state, *, lr0=0.01, kappa=1e-3, phi=0.1, theta=0.7):
            g = np.asarray(g, dtype=float)
            rate = state.get("rate", np.full(g.shape, float(lr0)))
            bar = (1 - theta) * g + theta * state.get("bar", np.zeros(g.shape))
            rate = np.where(bar * g > 0, rate + kappa, np.where(bar * g < 0, rate * (1 - phi), rate))
            return np.asarray(w, dtype=float) - rate * g, {"rate": rate, "bar": bar}
    """),
    wrong("delta_bar_delta_update", "theta weights the new gradient", """
        def delta_bar_delta_update(w, g, state, *, lr0=0.01, kappa=1e-3, phi=0.1, theta=0.7):
            g = np.asarray(g, dtype=float)
            rate = state.get("rate", np.full(g.shape, float(lr0)))
            bar = state.get("bar", np.zeros(g.shape))
            rate = np.where(bar * g > 0, rate + kappa, np.where(bar * g < 0, rate * (1 - phi), rate))
            return np.asarray(w, dtype=float) - rate * g, {"rate": rate, "bar": theta * g + (1 - theta) * bar}
    """),
    right("delta_bar_delta_update", "sign comparison with a python loop", """
        def delta_bar_delta_update(w, g, state, *, lr0=0.01, kappa=1e-3, phi=0.1, theta=0.7):
            g = np.array(g, dtype=float)
            rate = np.array(state["rate"], dtype=float) if state else np.full(g.shape, lr0, dtype=float)
            bar = np.array(state["bar"], dtype=float) if state else np.zeros(g.shape)
            for i in np.ndindex(g.shape):
                s = np.sign(bar[i]) * np.sign(g[i])
                if s > 0:
                    rate[i] = rate[i] + kappa
                elif s < 0:
                    rate[i] = rate[i] * (1 - phi)
            return w - rate * g, {"rate": rate, "bar": (1 - theta) * g + theta * bar}
    """),
    # ------------------------------------------------------------------ adagrad_update
    wrong("adagrad_update", "eps inside the root", """
        def adagrad_update(w, g, state, *, lr=0.01, eps=1e-7):
            g = np.asarray(g, dtype=float)
            r = state.get("r", np.zeros(g.shape)) + g * g
            return np.asarray(w, dtype=float) - lr * g / np.sqrt(eps + r), {"r": r}
    """),
    wrong("adagrad_update", "decaying average (RMSProp)", """
        def adagrad_update(w, g, state, *, lr=0.01, eps=1e-7):
            g = np.asarray(g, dtype=float)
            r = 0.9 * state.get("r", np.zeros(g.shape)) + 0.1 * g * g
            return np.asarray(w, dtype=float) - lr * g / (eps + np.sqrt(r)), {"r": r}
    """),
    wrong("adagrad_update", "sum of squares not carried", """
        def adagrad_update(w, g, state, *, lr=0.01, eps=1e-7):
            g = np.asarray(g, dtype=float)
            r = g * g
            return np.asarray(w, dtype=float) - lr * g / (eps + np.sqrt(r)), {"r": r}
    """),
    wrong("adagrad_update", "accumulates into the state's array", """
        def adagrad_update(w, g, state, *, lr=0.01, eps=1e-7):
            g = np.asarray(g, dtype=float)
            r = state.get("r")
            if r is None:
                r = np.zeros(g.shape)
            r += g * g
            return np.asarray(w, dtype=float) - lr * g / (eps + np.sqrt(r)), {"r": r}
    """),
    wrong("adagrad_update", "no eps", """
        def adagrad_update(w, g, state, *, lr=0.01, eps=1e-7):
            g = np.asarray(g, dtype=float)
            r = state.get("r", np.zeros(g.shape)) + g * g
            return np.asarray(w, dtype=float) - lr * g / np.sqrt(r), {"r": r}
    """),
    right("adagrad_update", "keeps the root norm instead of the sum", """
        def adagrad_update(w, g, state, *, lr=0.01, eps=1e-7):
            g = np.asarray(g, dtype=float)
            root = np.sqrt(state.get("root", 0.0) ** 2 + g ** 2)   # sqrt of the running sum
            return w - lr * g / (eps + root), {"root": root}
    """),
    # ------------------------------------------------------------------ rmsprop_update
    wrong("rmsprop_update", "eps outside the root", hint='epsilon outside the square root in RMSProp', source="""
        def rmsprop_update(w, g, state, *, lr=0.001, rho=0.9, eps=1e-6):
            g = np.asarray(g, dtype=float)
            r = rho * state.get("r", np.zeros(g.shape)) + (1 - rho) * g * g
            return np.asarray(w, dtype=float) - lr * g / (eps + np.sqrt(r)), {"r": r}
    """),
    wrong("rmsprop_update", "rho and 1 - rho swapped", """
        def rmsprop_update(w, g, state, *, lr=0.001, rho=0.9, eps=1e-6):
            g = np.asarray(g, dtype=float)
            r = (1 - rho) * state.get("r", np.zeros(g.shape)) + rho * g * g
            return np.asarray(w, dtype=float) - lr * g / np.sqrt(eps + r), {"r": r}
    """),
    wrong("rmsprop_update", "whole history summed (AdaGrad)", """
        def rmsprop_update(w, g, state, *, lr=0.001, rho=0.9, eps=1e-6):
            g = np.asarray(g, dtype=float)
            r = state.get("r", np.zeros(g.shape)) + (1 - rho) * g * g
            return np.asarray(w, dtype=float) - lr * g / np.sqrt(eps + r), {"r": r}
    """),
    wrong("rmsprop_update", "average not carried", """
        def rmsprop_update(w, g, state, *, lr=0.001, rho=0.9, eps=1e-6):
            g = np.asarray(g, dtype=float)
            r = (1 - rho) * g * g
            return np.asarray(w, dtype=float) - lr * g / np.sqrt(eps + r), {"r": r}
    """),
    right("rmsprop_update", "stores the root mean square", """
        def rmsprop_update(w, g, state, *, lr=0.001, rho=0.9, eps=1e-6):
            g = np.asarray(g, dtype=float)
            rms = np.sqrt(rho * state.get("rms", np.zeros_like(g)) ** 2 + (1 - rho) * g ** 2)
            return w - lr * g / np.sqrt(eps + rms ** 2), {"rms": rms}
    """),
    # ------------------------------------------------------------------ adam_update
    wrong("adam_update", "no bias correction", hint='Adam without bias correction', source="""
        def adam_update(w, g, state, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
            g = np.asarray(g, dtype=float)
            m = beta1 * state.get("m", np.zeros(g.shape)) + (1 - beta1) * g
            v = beta2 * state.get("v", np.zeros(g.shape)) + (1 - beta2) * g * g
            return np.asarray(w, dtype=float) - lr * m / (np.sqrt(v) + eps), {"m": m, "v": v}
    """),
    wrong("adam_update", "corrected moments stored back", """
        def adam_update(w, g, state, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
            g = np.asarray(g, dtype=float)
            t = state.get("t", 0) + 1
            m = (beta1 * state.get("m", np.zeros(g.shape)) + (1 - beta1) * g) / (1 - beta1 ** t)
            v = (beta2 * state.get("v", np.zeros(g.shape)) + (1 - beta2) * g * g) / (1 - beta2 ** t)
            return np.asarray(w, dtype=float) - lr * m / (np.sqrt(v) + eps), {"t": t, "m": m, "v": v}
    """),
    wrong("adam_update", "the slide's recursion", """
        def adam_update(w, g, state, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
            g = np.asarray(g, dtype=float)
            s = (beta1 * state.get("s", np.zeros(g.shape)) + (1 - beta1) * g) / (1 - beta1)
            r = (beta2 * state.get("r", np.zeros(g.shape)) + (1 - beta2) * g * g) / (1 - beta2)
            return np.asarray(w, dtype=float) - lr * s / (eps + np.sqrt(r)), {"s": s, "r": r}
    """),
    wrong("adam_update", "step counter starting at 0", """
        def adam_update(w, g, state, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
            g = np.asarray(g, dtype=float)
            t = state.get("t", 0)
            m = beta1 * state.get("m", np.zeros(g.shape)) + (1 - beta1) * g
            v = beta2 * state.get("v", np.zeros(g.shape)) + (1 - beta2) * g * g
            with np.errstate(all="ignore"):
                m_hat = m / (1 - beta1 ** t)
                v_hat = v / (1 - beta2 ** t)
                w_new = np.asarray(w, dtype=float) - lr * m_hat / (np.sqrt(v_hat) + eps)
            return w_new, {"t": t + 1, "m": m, "v": v}
    """),
    wrong("adam_update", "step counter not saved", hint='an Adam step counter that is not kept', source="""
        def adam_update(w, g, state, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
            g = np.asarray(g, dtype=float)
            t = 1
            m = beta1 * state.get("m", np.zeros(g.shape)) + (1 - beta1) * g
            v = beta2 * state.get("v", np.zeros(g.shape)) + (1 - beta2) * g * g
            m_hat = m / (1 - beta1 ** t)
            v_hat = v / (1 - beta2 ** t)
            return np.asarray(w, dtype=float) - lr * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v}
    """),
    wrong("adam_update", "eps inside the root", hint='epsilon inside the square root in Adam', source="""
        def adam_update(w, g, state, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
            g = np.asarray(g, dtype=float)
            t = state.get("t", 0) + 1
            m = beta1 * state.get("m", np.zeros(g.shape)) + (1 - beta1) * g
            v = beta2 * state.get("v", np.zeros(g.shape)) + (1 - beta2) * g * g
            m_hat = m / (1 - beta1 ** t)
            v_hat = v / (1 - beta2 ** t)
            return np.asarray(w, dtype=float) - lr * m_hat / np.sqrt(v_hat + eps), {"t": t, "m": m, "v": v}
    """),
    wrong("adam_update", "moments updated in place in the state", """
        def adam_update(w, g, state, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
            g = np.asarray(g, dtype=float)
            if not state:
                state.update(t=0, m=np.zeros(g.shape), v=np.zeros(g.shape))
            state["t"] += 1
            state["m"] *= beta1
            state["m"] += (1 - beta1) * g
            state["v"] *= beta2
            state["v"] += (1 - beta2) * g * g
            m_hat = state["m"] / (1 - beta1 ** state["t"])
            v_hat = state["v"] / (1 - beta2 ** state["t"])
            return np.asarray(w, dtype=float) - lr * m_hat / (np.sqrt(v_hat) + eps), state
    """),
    right("adam_update", "float step counter and powers kept in the state", """
        def adam_update(w, g, state, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
            g = np.asarray(g, dtype=float)
            t = state.get("t", 0.0) + 1.0
            p1 = state.get("p1", 1.0) * beta1      # beta1 ** t
            p2 = state.get("p2", 1.0) * beta2      # beta2 ** t
            m = beta1 * state.get("m", 0.0) + (1.0 - beta1) * g
            v = beta2 * state.get("v", 0.0) + (1.0 - beta2) * g ** 2
            step = lr * (m / (1.0 - p1)) / (np.sqrt(v / (1.0 - p2)) + eps)
            return w - step, {"t": t, "p1": p1, "p2": p2, "m": m, "v": v}
    """),
    # ------------------------------------------------------------------ run_optimizer
    wrong("run_optimizer", "path without w0", """
        def run_optimizer(update, grad_fn, w0, n_steps, **hyper):
            params = list(inspect.signature(update).parameters)
            nesterov = len(params) > 1 and params[1] == "grad_fn"
            w, state, path = np.array(w0, dtype=float), {}, []
            for _ in range(n_steps):
                w, state = update(w, grad_fn if nesterov else grad_fn(w), state, **hyper)
                path.append(w)
            return np.array(path)
    """),
    wrong("run_optimizer", "state reset at every step", """
        def run_optimizer(update, grad_fn, w0, n_steps, **hyper):
            params = list(inspect.signature(update).parameters)
            nesterov = len(params) > 1 and params[1] == "grad_fn"
            w = np.array(w0, dtype=float)
            path = [w]
            for _ in range(n_steps):
                w, _ = update(w, grad_fn if nesterov else grad_fn(w), {}, **hyper)
                path.append(w)
            return np.array(path)
    """),
    wrong("run_optimizer", "gradient array passed to Nesterov too", """
        def run_optimizer(update, grad_fn, w0, n_steps, **hyper):
            w, state = np.array(w0, dtype=float), {}
            path = [w]
            for _ in range(n_steps):
                w, state = update(w, grad_fn(w), state, **hyper)
                path.append(w)
            return np.array(path)
    """),
    wrong("run_optimizer", "one step too few", """
        def run_optimizer(update, grad_fn, w0, n_steps, **hyper):
            params = list(inspect.signature(update).parameters)
            nesterov = len(params) > 1 and params[1] == "grad_fn"
            w, state = np.array(w0, dtype=float), {}
            path = [w]
            for _ in range(n_steps - 1):
                w, state = update(w, grad_fn if nesterov else grad_fn(w), state, **hyper)
                path.append(w)
            return np.array(path)
    """),
    wrong("run_optimizer", "recognizes Nesterov by name (breaks on partial and renamed rules)", """
        def run_optimizer(update, grad_fn, w0, n_steps, **hyper):
            w = np.asarray(w0, dtype=float)
            path = np.empty((n_steps + 1,) + w.shape)
            path[0] = w
            nesterov = getattr(update, "__name__", "") == "nesterov_update"
            state = {}
            for k in range(1, n_steps + 1):
                w, state = update(w, grad_fn if nesterov else grad_fn(w), state, **hyper)
                path[k] = w
            return path
    """),
    right("run_optimizer", "grad_fn among the parameters, preallocated path", """
        import inspect

        def run_optimizer(update, grad_fn, w0, n_steps, **hyper):
            w = np.asarray(w0, dtype=float)
            path = np.empty((n_steps + 1,) + w.shape)
            path[0] = w
            nesterov = "grad_fn" in inspect.signature(update).parameters
            state = {}
            for k in range(1, n_steps + 1):
                w, state = update(w, grad_fn if nesterov else grad_fn(w), state, **hyper)
                path[k] = w
            return path
    """),
    wrong("delta_bar_delta_update", "average weighted (1 + theta) instead of (1 - theta)", """
        def delta_bar_delta_update(w, g, state, *, lr0=0.01, kappa=1e-3, phi=0.1, theta=0.7):
            g = np.asarray(g, dtype=float)
            rate = state.get("rate", np.full(g.shape, float(lr0)))
            bar = state.get("bar", np.zeros(g.shape))
            rate = np.where(bar * g > 0, rate + kappa, rate)
            rate = np.where(bar * g < 0, rate * (1 - phi), rate)
            return np.asarray(w, dtype=float) - rate * g, {"rate": rate, "bar": (1 + theta) * g + theta * bar}
    """),
    # ---------------------------------------------------------------- the shared contract
    wrong("sgd_update", "hands the state dict back", fails="new_state", source="""
        def sgd_update(w, g, state, *, lr):
            return np.asarray(w, dtype=float) - lr * np.asarray(g, dtype=float), state
    """),
    wrong("adagrad_update", "keeps r in the dict it was given", fails="new_state", source="""
        def adagrad_update(w, g, state, *, lr=0.01, eps=1e-7):
            g = np.asarray(g, dtype=float)
            new = state
            new["r"] = state.get("r", np.zeros(g.shape)) + g * g
            return np.asarray(w, dtype=float) - lr * g / (eps + np.sqrt(new["r"])), new
    """),
    wrong("rmsprop_update", "in float32", fails="float64", source="""
        def rmsprop_update(w, g, state, *, lr=0.001, rho=0.9, eps=1e-6):
            g = np.asarray(g, dtype=np.float32)
            r = rho * state.get("r", np.zeros(g.shape, dtype=np.float32)) + (1 - rho) * g * g
            return np.asarray(w, dtype=float) - lr * g / np.sqrt(eps + r), {"r": r}
    """),
    wrong("momentum_update", "adds v into a copy of w in w's dtype", fails="float64", source="""
        def momentum_update(w, g, state, *, lr, beta=0.9):
            v = state.get("v", np.zeros(np.shape(w)))
            v = beta * v - lr * np.asarray(g, dtype=float)
            w_new = np.array(w)
            w_new += v
            return w_new, {"v": v}
    """),
]
