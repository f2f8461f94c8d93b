"""Chebyshev coefficients for the scaled modified Bessel functions i0e and i1e in special.rs.

The expansions follow the scheme of Cephes (S. L. Moshier, `i0.c`/`i1.c`; see also Numerical
Recipes, section 6.6, and Clenshaw 1962): on [0, 8] expand e^-x I0(x) and e^-x I1(x) / x in the
variable t = x / 4 - 1; beyond 8 expand sqrt(x) e^-x I0(x) and sqrt(x) e^-x I1(x) in t = 16 / x - 1.
The coefficients are recomputed here at 50 significant digits by Chebyshev interpolation and cut
where they stop mattering in double precision.

Run: python3 bessel_chebyshev.py  (prints Rust arrays; paste them into special.rs)
"""

import mpmath as mp

mp.mp.dps = 50
N = 80  # interpolation nodes; far more than needed


def chebyshev(g):
    nodes = [mp.cos(mp.pi * (j + mp.mpf(1) / 2) / N) for j in range(N)]
    values = [g(t) for t in nodes]
    coeffs = []
    for k in range(N):
        s = mp.fsum(values[j] * mp.cos(mp.pi * k * (j + mp.mpf(1) / 2) / N) for j in range(N))
        coeffs.append(2 * s / N)
    coeffs[0] /= 2  # stored halved: f(t) = c0 + sum_k c_k T_k(t)
    scale = max(abs(c) for c in coeffs)
    # Keep terms above 1e-18 of the largest: the truncation error is then far below one ulp.
    last = max(k for k, c in enumerate(coeffs) if abs(c) > mp.mpf("1e-18") * scale)
    return coeffs[: last + 1]


def small(f):
    return lambda t: f(4 * (t + 1))


def large(f):
    return lambda t: f(16 / (t + 1))


tables = {
    "I0E_SMALL": chebyshev(small(lambda x: mp.exp(-x) * mp.besseli(0, x))),
    "I0E_LARGE": chebyshev(large(lambda x: mp.sqrt(x) * mp.exp(-x) * mp.besseli(0, x))),
    "I1E_SMALL": chebyshev(small(lambda x: mp.exp(-x) * mp.besseli(1, x) / x if x != 0 else mp.mpf(1) / 2)),
    "I1E_LARGE": chebyshev(large(lambda x: mp.sqrt(x) * mp.exp(-x) * mp.besseli(1, x))),
}

for name, coeffs in tables.items():
    print(f"const {name}: [f64; {len(coeffs)}] = [")
    for c in coeffs:
        print(f"    {float(c)!r},")  # shortest literal that rounds to the same f64
    print("];")
