"""Catalog for notebook 01: activation functions."""
from catalog import right, wrong

NOTEBOOK = "01_activations"

# output_delta's right branches, for the wrong answers whose mistake lies before them
DELTA_BRANCHES = """
            if cost == "quadratic":
                return (a - y) * a * (1 - a)
            if cost == "cross_entropy":
                return a - y
            raise ValueError("unknown cost")
"""
# output_delta's first lines in the wrong answers that get them right: float64 copies, the checks
DELTA_CHECKED = """
        def output_delta(a, y, cost):
            a, y = np.asarray(a, dtype=np.float64), np.asarray(y, dtype=np.float64)
            if a.shape != y.shape:
                raise ValueError("a and y differ in shape")
            if np.any((a < 0) | (a > 1)):
                raise ValueError("a must lie in [0, 1]")
"""

ENTRIES = [
    # ---------------------------------------------------------------- sigmoid
    wrong("sigmoid", "sign slip in the exponent", hint='a sign slip in the exponent, 1/(1 + e^z)', source="""
        def sigmoid(z):
            return 1.0 / (1.0 + np.exp(z))
    """),
    wrong("sigmoid", "e^z over 1 + e^z overflows to NaN", hint='e^z / (1 + e^z), which is inf/inf = NaN for large z', source="""
        def sigmoid(z):
            z = np.asarray(z, dtype=float)
            return np.exp(z) / (1.0 + np.exp(z))
    """),
    wrong("sigmoid", "naive formula warns of overflow", hint='the naive 1/(1 + e^-z), which overflows for very negative z', source="""
        def sigmoid(z):
            return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))
    """),
    wrong("sigmoid", "clips z in place", """
        def sigmoid(z):
            z = np.asarray(z, dtype=float)
            np.clip(z, -500, 500, out=z)
            return 1.0 / (1.0 + np.exp(-z))
    """),
    right("sigmoid", "scipy expit", """
        from scipy.special import expit

        def sigmoid(z):
            return expit(z)
    """),
    right("sigmoid", "via tanh of z/2", """
        def sigmoid(z):
            return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))
    """),
    # ---------------------------------------------------------------- sigmoid_grad
    wrong("sigmoid_grad", "s(1 + s) sign slip", hint='s (1 + s) instead of s (1 - s)', source="""
        def sigmoid_grad(z):
            s = 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))
            return s * (1.0 + s)
    """),
    wrong("sigmoid_grad", "returns the sigmoid itself", hint='the sigmoid itself instead of its derivative', source="""
        def sigmoid_grad(z):
            return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))
    """),
    wrong("sigmoid_grad", "e^-z over (1 + e^-z)^2 gives NaN", """
        def sigmoid_grad(z):
            e = np.exp(-np.asarray(z, dtype=float))
            return e / (1.0 + e) ** 2
    """),
    right("sigmoid_grad", "symmetric form with e^-|z|", """
        def sigmoid_grad(z):
            e = np.exp(-np.abs(np.asarray(z, dtype=float)))
            return e / (1.0 + e) ** 2
    """),
    right("sigmoid_grad", "scipy expit product", """
        from scipy.special import expit

        def sigmoid_grad(z):
            return expit(z) * expit(-np.asarray(z, dtype=float))
    """),
    # ---------------------------------------------------------------- tanh
    wrong("tanh", "2 sigmoid(z) - 1 without the inner 2", hint='2 sigmoid(z) - 1, without the 2 inside', source="""
        def tanh(z):
            z = np.asarray(z, dtype=float)
            return 2.0 / (1.0 + np.exp(-z)) - 1.0
    """),
    wrong("tanh", "sigmoid of 2z, not mapped to (-1, 1)", """
        def tanh(z):
            z = np.asarray(z, dtype=float)
            return 1.0 / (1.0 + np.exp(-2.0 * z))
    """),
    wrong("tanh", "Python math.tanh fails on arrays", """
        import math

        def tanh(z):
            return math.tanh(z)
    """),
    right("tanh", "numpy tanh", """
        def tanh(z):
            return np.tanh(z)
    """),
    wrong("tanh", "exponential quotient overflows to NaN far out", """
        def tanh(z):
            z = np.asarray(z, dtype=float)
            return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
    """),
    right("tanh", "exponential quotient of e^-2|z| with the sign of z", """
        def tanh(z):
            z = np.asarray(z, dtype=float)
            e = np.exp(-2.0 * np.abs(z))
            return np.sign(z) * (1.0 - e) / (1.0 + e)
    """),
    right("tanh", "2 sigmoid(2z) - 1 through scipy's expit", """
        from scipy.special import expit

        def tanh(z):
            return 2.0 * expit(2.0 * np.asarray(z, dtype=float)) - 1.0
    """),
    # ---------------------------------------------------------------- tanh_grad
    wrong("tanh_grad", "1 - tanh instead of 1 - tanh^2", hint='1 - tanh(z) instead of 1 - tanh(z)^2', source="""
        def tanh_grad(z):
            return 1.0 - np.tanh(z)
    """),
    wrong("tanh_grad", "sigmoid form t(1 - t)", hint="tanh(z)(1 - tanh(z)), the sigmoid's form", source="""
        def tanh_grad(z):
            t = np.tanh(z)
            return t * (1.0 - t)
    """),
    right("tanh_grad", "sech squared", """
        def tanh_grad(z):
            return 1.0 / np.cosh(np.asarray(z, dtype=float)) ** 2
    """),
    # ---------------------------------------------------------------- lecun_tanh
    wrong("lecun_tanh", "fraction upside down 3z/2", hint='1.7159 tanh(3z/2), the fraction upside down', source="""
        def lecun_tanh(z):
            return 1.7159 * np.tanh(1.5 * np.asarray(z, dtype=float))
    """),
    wrong("lecun_tanh", "gain 1.7159 missing", """
        def lecun_tanh(z):
            return np.tanh(2.0 * np.asarray(z, dtype=float) / 3.0)
    """),
    right("lecun_tanh", "via the sigmoid relation", """
        def lecun_tanh(z):
            z = np.asarray(z, dtype=float)
            return 1.7159 * (2.0 / (1.0 + np.exp(-4.0 * z / 3.0)) - 1.0)
    """),
    # ---------------------------------------------------------------- lecun_tanh_grad
    wrong("lecun_tanh_grad", "missing chain-rule factor 2/3", hint='a missing chain-rule factor 2/3', source="""
        def lecun_tanh_grad(z):
            return 1.7159 * (1.0 - np.tanh(2.0 * np.asarray(z, dtype=float) / 3.0) ** 2)
    """),
    wrong("lecun_tanh_grad", "tanh taken at z, not 2z/3", hint='tanh taken at z instead of 2z/3', source="""
        def lecun_tanh_grad(z):
            return 1.7159 * 2.0 / 3.0 * (1.0 - np.tanh(z) ** 2)
    """),
    right("lecun_tanh_grad", "sech squared with constants folded", """
        def lecun_tanh_grad(z):
            return 1.1439333333333332 / np.cosh(2.0 * np.asarray(z, dtype=float) / 3.0) ** 2
    """),
    # ---------------------------------------------------------------- relu
    wrong("relu", "Python max fails on arrays", """
        def relu(z):
            return max(0.0, z)
    """),
    wrong("relu", "zeroes the input in place", """
        def relu(z):
            z[z < 0] = 0.0
            return z
    """),
    wrong("relu", "absolute value", """
        def relu(z):
            return np.abs(z)
    """),
    right("relu", "z times the mask", """
        def relu(z):
            z = np.asarray(z, dtype=float)
            return z * (z > 0)
    """),
    right("relu", "np.where on a copy", """
        def relu(z):
            return np.where(np.asarray(z) > 0, z, 0.0)
    """),
    # ---------------------------------------------------------------- relu_grad
    wrong("relu_grad", "relu_grad(0) == 1", hint='relu_grad(0) == 1 (z >= 0 instead of z > 0)', source="""
        def relu_grad(z):
            return (np.asarray(z) >= 0).astype(float)
    """),
    wrong("relu_grad", "sign of z", hint='sign(z), which is -1 for z < 0', source="""
        def relu_grad(z):
            return np.sign(z)
    """),
    right("relu_grad", "heaviside with 0 at 0", """
        def relu_grad(z):
            return np.heaviside(z, 0.0)
    """),
    # ---------------------------------------------------------------- leaky_relu
    wrong("leaky_relu", "beta hard-coded to 0.01", hint='the beta argument ignored', source="""
        def leaky_relu(z, beta=0.01):
            z = np.asarray(z, dtype=float)
            return np.where(z > 0, z, 0.01 * z)
    """),
    wrong("leaky_relu", "constant beta instead of beta z", """
        def leaky_relu(z, beta=0.01):
            z = np.asarray(z, dtype=float)
            return np.where(z > 0, z, beta)
    """),
    right("leaky_relu", "maximum of z and beta z", """
        def leaky_relu(z, beta=0.01):
            return np.maximum(z, beta * np.asarray(z, dtype=float))
    """),
    # ---------------------------------------------------------------- leaky_relu_grad
    wrong("leaky_relu_grad", "1 at z == 0", hint='leaky_relu_grad(0) == 1 (z >= 0 instead of z > 0)', source="""
        def leaky_relu_grad(z, beta=0.01):
            return np.where(np.asarray(z) >= 0, 1.0, beta)
    """),
    wrong("leaky_relu_grad", "beta hard-coded to 0.01", hint='the beta argument ignored', source="""
        def leaky_relu_grad(z, beta=0.01):
            return np.where(np.asarray(z) > 0, 1.0, 0.01)
    """),
    right("leaky_relu_grad", "mask arithmetic", """
        def leaky_relu_grad(z, beta=0.01):
            positive = (np.asarray(z, dtype=float) > 0).astype(float)
            return positive + beta * (1.0 - positive)
    """),
    # ---------------------------------------------------------------- softplus
    wrong("softplus", "naive log(1 + e^z) overflows", hint='the naive ln(1 + e^z), which overflows to inf for large z', source="""
        def softplus(z):
            return np.log(1.0 + np.exp(np.asarray(z, dtype=float)))
    """),
    wrong("softplus", "sign slip in the exponent", hint='a sign slip in the exponent, ln(1 + e^-z)', source="""
        def softplus(z):
            z = np.asarray(z, dtype=float)
            return np.maximum(-z, 0.0) + np.log1p(np.exp(-np.abs(z)))
    """),
    right("softplus", "logaddexp", """
        def softplus(z):
            return np.logaddexp(0.0, z)
    """),
    # ---------------------------------------------------------------- softplus_grad
    wrong("softplus_grad", "e^z over 1 + e^z gives NaN", """
        def softplus_grad(z):
            e = np.exp(np.asarray(z, dtype=float))
            return e / (1.0 + e)
    """),
    wrong("softplus_grad", "sign slip 1/(1 + e^z)", hint='a sign slip in the exponent, 1/(1 + e^z)', source="""
        def softplus_grad(z):
            z = np.asarray(z, dtype=float)
            return 0.5 * (1.0 - np.tanh(0.5 * z))
    """),
    wrong("softplus_grad", "returns softplus itself", """
        def softplus_grad(z):
            return np.logaddexp(0.0, z)
    """),
    right("softplus_grad", "exp of minus softplus of -z", """
        def softplus_grad(z):
            return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))
    """),
    right("softplus_grad", "naive sigmoid (overflow warning allowed here)", """
        def softplus_grad(z):
            return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))
    """),
    # ---------------------------------------------------------------- elu
    wrong("elu", "np.where with exp(z) overflows", hint='np.where(z > 0, z, beta (e^z - 1)), which overflows for large z', source="""
        def elu(z, beta=1.0):
            z = np.asarray(z, dtype=float)
            return np.where(z > 0, z, beta * (np.exp(z) - 1.0))
    """),
    wrong("elu", "beta e^z - 1 bracket slip", """
        def elu(z, beta=1.0):
            z = np.asarray(z, dtype=float)
            return np.where(z > 0, z, beta * np.exp(np.minimum(z, 0.0)) - 1.0)
    """),
    wrong("elu", "e^z without the minus 1", """
        def elu(z, beta=1.0):
            z = np.asarray(z, dtype=float)
            return np.where(z > 0, z, beta * np.exp(np.minimum(z, 0.0)))
    """),
    wrong("elu", "beta hard-coded to 1", hint='the beta argument ignored', source="""
        def elu(z, beta=1.0):
            z = np.asarray(z, dtype=float)
            return np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))
    """),
    right("elu", "masked assignment on a copy", """
        def elu(z, beta=1.0):
            out = np.array(z, dtype=float)
            negative = out <= 0
            out[negative] = beta * np.expm1(out[negative])
            return out
    """),
    # ---------------------------------------------------------------- elu_grad
    wrong("elu_grad", "beta missing", hint='the beta argument ignored', source="""
        def elu_grad(z, beta=1.0):
            z = np.asarray(z, dtype=float)
            return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0)))
    """),
    wrong("elu_grad", "1 at z == 0", hint='elu_grad(0) == 1 (z >= 0 instead of z > 0)', source="""
        def elu_grad(z, beta=1.0):
            z = np.asarray(z, dtype=float)
            return np.where(z >= 0, 1.0, beta * np.exp(np.minimum(z, 0.0)))
    """),
    wrong("elu_grad", "np.where with exp(z) overflows", """
        def elu_grad(z, beta=1.0):
            z = np.asarray(z, dtype=float)
            return np.where(z > 0, 1.0, beta * np.exp(z))
    """),
    right("elu_grad", "elu plus beta for negative z", """
        def elu_grad(z, beta=1.0):
            z = np.asarray(z, dtype=float)
            elu_value = beta * np.expm1(np.minimum(z, 0.0))
            return np.where(z > 0, 1.0, elu_value + beta)
    """),
    # ---------------------------------------------------------------- noisy_relu
    wrong("noisy_relu", "noise added after the max", hint='the noise added after the max', source="""
        def noisy_relu(z, rng):
            z = np.asarray(z, dtype=float)
            e = np.exp(-np.abs(z))
            var = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
            return np.maximum(z, 0.0) + rng.normal(size=z.shape) * np.sqrt(var)
    """),
    wrong("noisy_relu", "sigmoid used as the standard deviation", hint='sigmoid(z) used as the standard deviation', source="""
        def noisy_relu(z, rng):
            z = np.asarray(z, dtype=float)
            e = np.exp(-np.abs(z))
            s = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
            return np.maximum(0.0, z + rng.normal(0.0, s))
    """),
    wrong("noisy_relu", "unit variance noise", """
        def noisy_relu(z, rng):
            z = np.asarray(z, dtype=float)
            return np.maximum(0.0, z + rng.standard_normal(z.shape))
    """),
    wrong("noisy_relu", "global random state", hint="np.random's global state instead of rng", source="""
        def noisy_relu(z, rng):
            z = np.asarray(z, dtype=float)
            e = np.exp(-np.abs(z))
            var = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
            return np.maximum(0.0, z + np.random.normal(size=z.shape) * np.sqrt(var))
    """),
    wrong("noisy_relu", "naive sigmoid overflows for very negative z", """
        def noisy_relu(z, rng):
            z = np.asarray(z, dtype=float)
            var = 1.0 / (1.0 + np.exp(-z))
            return np.maximum(0.0, z + rng.normal(0.0, np.sqrt(var)))
    """),
    right("noisy_relu", "normals drawn in reverse order", """
        def noisy_relu(z, rng):
            z = np.asarray(z, dtype=float)
            e = np.exp(-np.abs(z))
            var = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
            noise = rng.standard_normal(z.size)[::-1].reshape(z.shape)
            return np.maximum(0.0, z + np.sqrt(var) * noise)
    """),
    right("noisy_relu", "one normal at a time, Fortran order, via expit", """
        from scipy.special import expit

        def noisy_relu(z, rng):
            z = np.asarray(z, dtype=float)
            out = np.empty_like(z)
            for index in np.ndindex(*z.shape[::-1]):
                i = index[::-1]
                out[i] = max(0.0, z[i] + rng.normal(0.0, np.sqrt(expit(z[i]))))
            return out
    """),
    # ---------------------------------------------------------------- layer_gradient_norms
    wrong("layer_gradient_norms", "last layer first", hint='the norms in reverse order', source="""
        def layer_gradient_norms(X, weights, activation, activation_grad):
            A, cache = np.asarray(X, float), []
            for W, b in weights:
                Z = A @ W + b
                cache.append((A, Z))
                A = activation(Z)
            dA, norms = np.ones_like(A), []
            for (A_prev, Z), (W, b) in zip(reversed(cache), reversed(weights)):
                dZ = dA * activation_grad(Z)
                norms.append(np.linalg.norm(A_prev.T @ dZ))
                dA = dZ @ W.T
            return np.array(norms)
    """),
    wrong("layer_gradient_norms", "derivative taken at the output A", hint='the derivative evaluated at the output A, not at Z', source="""
        def layer_gradient_norms(X, weights, activation, activation_grad):
            A, cache = np.asarray(X, float), []
            for W, b in weights:
                A_prev = A
                A = activation(A_prev @ W + b)
                cache.append((A_prev, A))
            dA, norms = np.ones_like(A), []
            for (A_prev, A_out), (W, b) in zip(reversed(cache), reversed(weights)):
                dZ = dA * activation_grad(A_out)
                norms.append(np.linalg.norm(A_prev.T @ dZ))
                dA = dZ @ W.T
            return np.array(norms[::-1])
    """),
    wrong("layer_gradient_norms", "chain-rule factor of the last layer missing", """
        def layer_gradient_norms(X, weights, activation, activation_grad):
            A, cache = np.asarray(X, float), []
            for W, b in weights:
                Z = A @ W + b
                cache.append((A, Z))
                A = activation(Z)
            dZ, norms = np.ones_like(A), []
            for l in reversed(range(len(weights))):
                A_prev, Z = cache[l]
                if l < len(weights) - 1:
                    dZ = dZ * activation_grad(Z)
                norms.append(np.linalg.norm(A_prev.T @ dZ))
                dZ = dZ @ weights[l][0].T
            return np.array(norms[::-1])
    """),
    wrong("layer_gradient_norms", "spectral norm instead of Frobenius", """
        def layer_gradient_norms(X, weights, activation, activation_grad):
            A, cache = np.asarray(X, float), []
            for W, b in weights:
                Z = A @ W + b
                cache.append((A, Z))
                A = activation(Z)
            dA, norms = np.ones_like(A), []
            for l in reversed(range(len(weights))):
                A_prev, Z = cache[l]
                dZ = dA * activation_grad(Z)
                norms.append(np.linalg.norm(A_prev.T @ dZ, 2))
                dA = dZ @ weights[l][0].T
            return np.array(norms[::-1])
    """),
    right("layer_gradient_norms", "recursive backprop with einsum", """
        def layer_gradient_norms(X, weights, activation, activation_grad):
            def backprop(A_prev, layers):
                (W, b), rest = layers[0], layers[1:]
                Z = A_prev @ W + b
                if rest:
                    dA, norms = backprop(activation(Z), rest)
                else:
                    dA, norms = np.ones_like(Z), []
                dZ = dA * activation_grad(Z)
                dW = np.einsum("ni,nj->ij", A_prev, dZ)
                return dZ @ W.T, [np.sqrt(np.sum(dW * dW))] + norms
            return np.array(backprop(np.asarray(X, dtype=float), list(weights))[1])
    """),
    # ---------------------------------------------------------------- the shared contract
    wrong("relu", "in float32", fails="float64", source="""
        def relu(z):
            return np.maximum(np.asarray(z, dtype=np.float32), 0.0)
    """),
    wrong("relu_grad", "booleans for a float input", fails="float64", source="""
        def relu_grad(z):
            return np.asarray(z) > 0
    """),
    wrong("relu_grad", "integers for a float input", fails="float64", source="""
        def relu_grad(z):
            return np.where(np.asarray(z) > 0, 1, 0)
    """),
    wrong("leaky_relu_grad", "compares in float32", fails="float64", source="""
        def leaky_relu_grad(z, beta=0.01):
            return np.where(np.asarray(z, dtype=np.float32) > 0, 1.0, beta)
    """),
    wrong("noisy_relu", "in float32", fails="float64", source="""
        def noisy_relu(z, rng):
            z = np.asarray(z, dtype=np.float32)
            s = 0.5 * (1.0 + np.tanh(0.5 * z))
            noise = rng.standard_normal(z.shape).astype(np.float32) * np.sqrt(s)
            return np.maximum(z + noise, np.float32(0.0))
    """),
    wrong("layer_gradient_norms", "norms kept in the input's dtype", fails="float64", source="""
        def layer_gradient_norms(X, weights, activation, activation_grad):
            A, inputs, pre = np.asarray(X), [], []
            for W, b in weights:
                Z = A @ np.asarray(W) + np.asarray(b)
                inputs.append(A)
                pre.append(Z)
                A = activation(Z)
            dA = np.ones_like(A)
            norms = np.zeros(len(pre), dtype=np.asarray(X).dtype)
            for l in reversed(range(len(pre))):
                dZ = dA * activation_grad(pre[l])
                norms[l] = np.linalg.norm(inputs[l].T @ dZ)
                dA = dZ @ np.asarray(weights[l][0]).T
            return norms
    """),
    # ---------------------------------------------------------------- output_delta
    wrong("output_delta", "sign error, y - a", hint="the sign flipped, y - a instead of a - y", source=DELTA_CHECKED + """
            if cost == "quadratic":
                return (y - a) * a * (1 - a)
            if cost == "cross_entropy":
                return y - a
            raise ValueError("unknown cost")
    """),
    wrong("output_delta", "sigma'(z) kept in the cross-entropy delta",
          hint="sigma'(z) kept in the cross-entropy delta", source=DELTA_CHECKED + """
            if cost not in ("quadratic", "cross_entropy"):
                raise ValueError("unknown cost")
            return (a - y) * a * (1 - a)
    """),
    wrong("output_delta", "quadratic cost without sigma'(z)",
          hint="the quadratic delta without sigma'(z)", source=DELTA_CHECKED + """
            if cost in ("quadratic", "cross_entropy"):
                return a - y
            raise ValueError("unknown cost")
    """),
    wrong("output_delta", "sigma'(a): the sigmoid applied to a again",
          hint="sigma'(a) instead of sigma'(z)", source=DELTA_CHECKED + """
            s = 1 / (1 + np.exp(-a))
            if cost == "quadratic":
                return (a - y) * s * (1 - s)
            if cost == "cross_entropy":
                return a - y
            raise ValueError("unknown cost")
    """),
    wrong("output_delta", "rejects the saturated ends a = 0 and a = 1", source="""
        def output_delta(a, y, cost):
            a, y = np.asarray(a, dtype=np.float64), np.asarray(y, dtype=np.float64)
            if a.shape != y.shape:
                raise ValueError("a and y differ in shape")
            if np.any((a <= 0) | (a >= 1)):
                raise ValueError("a must lie in [0, 1]")
    """ + DELTA_BRANCHES),
    wrong("output_delta", "no float64: integer inputs give integers, bad a accepted", """
        def output_delta(a, y, cost):
    """ + DELTA_BRANCHES),
    right("output_delta", "a dictionary of costs, a - a**2 for the slope, np.subtract", """
        COST_DELTAS = {
            "quadratic": lambda a, y: np.subtract(a, y) * (a - a ** 2),
            "cross_entropy": lambda a, y: np.subtract(a, y),
        }

        def output_delta(a, y, cost):
            a = np.array(a, dtype=np.float64)
            y = np.array(y, dtype=np.float64)
            if np.shape(a) != np.shape(y):
                raise ValueError(f"shape of a {np.shape(a)} is not the shape of y {np.shape(y)}")
            if not np.all((0 <= a) & (a <= 1)):
                raise ValueError("a is a sigmoid output and must be in [0, 1]")
            if cost not in COST_DELTAS:
                raise ValueError(f"unknown cost {cost!r}")
            return COST_DELTAS[cost](a, y)
    """),
]
