//! The macro never panics: hundreds of mutated model sources (tokens dropped, swapped and
//! duplicated, identifiers replaced by unicode ones, literals by huge numbers and values of the
//! wrong type, plates of absurd sizes, attribute arguments garbled) go through the whole macro
//! ([`model_tokens`](super::model_tokens): parse, check, expand), each under `catch_unwind`.
//! Each must either be accepted, giving items that parse as Rust, or be rejected with
//! `compile_error!`s that point into the user's source (their span has a byte range inside it,
//! not the call site).
//!
//! The mutations are deterministic (a fixed linear congruential sequence), so a failure
//! reproduces; the failing source is printed.

use std::panic::{AssertUnwindSafe, catch_unwind};

use proc_macro2::{Delimiter, Spacing, Span, TokenStream, TokenTree};

/// Realistic models, as `(attribute arguments, function)`: plates (nested and subsampled),
/// vectorized sites, a reparameterization attribute, a guide with `param!`, deterministic sites,
/// factors, mixtures and multivariate families.
const SEEDS: &[(&str, &str)] = &[
    (
        "",
        r#"
        /// Angles `y` around `b * x`, with concentration 1/sigma^2.
        fn circular_regression(x: &[f64], y: Option<&[f64]>) {
            let b = sample!("b", Normal::new(0.0, 1.0));
            let sigma = sample!("sigma", Exponential::new(1.0));
            let kappa = 1.0 / (sigma * sigma);
            plate!("data", x.len(), |i| {
                sample!("obs", VonMises::new(b * x[i], kappa), obs = y.map(|y| y[i]));
            });
        }
        "#,
    ),
    (
        "reparam(theta = LocScaleReparam::default())",
        r#"
        pub fn eight_schools(y: &[f64], sigma: &[f64]) {
            let mu = sample!("mu", Normal::new(0.0, 5.0));
            let tau = sample!("tau", HalfCauchy::new(5.0));
            plate!("schools", y.len(), |j| {
                let theta = sample!("theta", Normal::new(mu, tau));
                sample!("y", Normal::new(theta, sigma[j]), obs = y[j]);
            });
        }
        "#,
    ),
    (
        "",
        r#"
        fn grouped(x: Vec<f64>, groups: usize, flips: &[bool]) {
            let slope = sample!("slope", Normal::new(0.0, 1.0));
            plate!("groups", groups, |g| {
                let offset = sample!("offset", Normal::new(0.0, 1.0));
                plate!("members", x.len(), |i| {
                    let mu = deterministic!("mu", offset + slope * x[i]);
                    sample!("flip", Bernoulli::from_logits(mu), obs = flips[g * x.len() + i]);
                });
            });
            factor!("shrink", -(slope * slope));
        }
        "#,
    ),
    (
        "",
        r#"
        fn logistic(x: &Matrix, y: &[bool]) {
            let alpha = sample!("alpha", Normal::new(0.0, 5.0));
            let beta = sample!("beta", batch::Normal::new(0.0, 1.0).iid(x.cols()));
            sample!("y", batch::Bernoulli::from_logits(x.matvec(&beta) + alpha), obs = y);
        }
        "#,
    ),
    (
        "guide_for = schools",
        r#"
        fn schools_guide(n: usize) {
            let mu_loc = param!("mu_loc", 0.0);
            let mu_scale = param!("mu_scale", 0.1, constraint = Support::Positive);
            sample!("mu", Normal::new(mu_loc, mu_scale));
            let tau_loc = param!("tau_loc", 0.0);
            let tau_scale = param!("tau_scale", 0.1, constraint = Support::Positive);
            sample!("tau", LogNormal::new(tau_loc, tau_scale));
            plate!("schools", n, |j| {
                let loc = param!("theta_loc", 0.0);
                let scale = param!("theta_scale", 0.1, constraint = Support::Positive);
                sample!("theta", Normal::new(loc, scale));
            });
        }
        "#,
    ),
    (
        "",
        r#"
        fn subsampled(y: &[f64]) {
            let mu = sample!("mu", Normal::new(0.0, 10.0));
            let sigma = sample!("sigma", HalfNormal::new(1.0));
            plate!("data", y.len(), subsample = 200, |i| {
                sample!("y", Normal::new(mu, sigma), obs = y[i]);
            });
        }
        "#,
    ),
    (
        "",
        r#"
        fn ordinal(x: &[f64], y: &[u64]) {
            let cut = sample!("cut", batch::Normal::new(0.0, 1.0).iid(2).ordered());
            let w = sample!("w", Beta::new(2.0, 2.0));
            let mixed = sample!("mixed", Mixture::<Normal>::new(vec![w, 1.0 - w],
                vec![Normal::new(cut[0], 1.0), Normal::new(cut[1], 1.0)]));
            plate!("data", y.len(), |i| {
                sample!("y", Poisson::new((mixed * x[i]).exp()), obs = y[i]);
            });
        }
        "#,
    ),
    (
        "",
        r#"
        fn random_walk(y: &[f64]) {
            let step = sample!("step", HalfNormal::new(1.0));
            let mut level = scalar(0.0);
            plate!("time", y.len(), |t| {
                sample!("y", Normal::new(level, step), obs = y[t]);
                level = level + (y[t] - level) * 0.5;
            });
        }
        "#,
    ),
    (
        "reparam(phase = CircularReparam, scale = TransformReparam)",
        r#"
        fn phases(x: &[f64], y: Option<&[f64]>, k: usize) {
            let phase = sample!("phase", VonMises::new(0.0, 2.0));
            let scale = sample!("scale", LogNormal::new(0.0, 1.0));
            let p = sample!("p", Dirichlet::new(vec![1.0, 2.0, 3.0]));
            let l = sample!("l", LKJCholesky::new(k, 2.0));
            plate!("data", x.len(), |i| {
                sample!("obs", VonMises::new(phase + x[i] * p[0], scale), obs = y.map(|y| y[i]));
            });
        }
        "#,
    ),
    (
        "",
        r#"
        fn counts(n: &[u64], k: &[u64], group: &[usize], groups: usize) {
            let a = sample!("a", Gamma::new(2.0, 0.5));
            let b = sample!("b", Gamma::new(2.0, 0.5));
            let theta = sample!("theta", batch::Beta::new(a, b).iid(groups));
            let total = deterministic!("total", a + b);
            factor!("prior_total", -total);
            sample!("k", batch::Binomial::new(n, gather(&theta, group)), obs = k);
        }
        "#,
    ),
];

/// Identifiers in other scripts and with combining marks, all valid Rust identifiers.
const UNICODE_NAMES: &[&str] = &["σ", "μ_0", "变量", "naïve", "Ωmega", "ǅ", "𝔵", "_ü", "δ2"];

/// Literals of the wrong size or type, and absurd plate sizes.
const ODD_LITERALS: &[&str] = &[
    "18446744073709551616",
    "340282366920938463463374607431768211456",
    "1e999",
    "1e308",
    "0xFFFF_FFFF_FFFF_FFFF_FFFF",
    "-1",
    "usize::MAX",
    "u64::MAX as usize",
    "f64::NAN",
    "\"seven\"",
    "'c'",
    "b\"bytes\"",
    "true",
    "()",
    "[0.0; 1000000000]",
    "\"\"",
    "\"a b\"",
    "\"σ\"",
    "\"y\"",
    "0usize",
    "1_000_000_000_000usize",
];

/// Fragments spliced in at random places: other macros' keywords, stray separators and
/// statements that belong elsewhere.
const SPLICES: &[&str] = &[
    "sample!",
    "plate!",
    "param!",
    "factor!",
    "deterministic!",
    "obs =",
    "subsample =",
    "constraint =",
    ",",
    ";",
    "=",
    "|i|",
    "&",
    "?",
    "return;",
    "async",
    "unsafe",
    "'a",
    "sample!(\"mu\", Normal::new(0.0, 1.0));",
    "plate!(\"p\", 3, |q| {});",
    "let _ = param!(\"w\", 1.0);",
];

/// Attribute arguments to try with every seed.
const ATTRIBUTES: &[&str] = &[
    "",
    "reparam",
    "reparam()",
    "reparam(mu)",
    "reparam(mu = )",
    "reparam(= CircularReparam)",
    "reparam(nosuchsite = LocScaleReparam::default())",
    "reparam(mu = LocScaleReparam::default(), mu = CircularReparam)",
    "reparam(\"mu\" = CircularReparam)",
    "reparam(σ = CircularReparam)",
    "guide_for",
    "guide_for =",
    "guide_for = 7",
    "guide_for = a::b::c",
    "guide_for = schools, guide_for = other",
    "nonsense",
    "reparam(y = CircularReparam), guide_for = schools",
    "1e999",
    "::",
];

/// A small deterministic generator (Knuth's MMIX linear congruential constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One lexeme of a flattened token stream: text, whether a space may follow it, and whether
/// it is a delimiter (mutations keep delimiters, so that the source still tokenizes, as it must
/// for the compiler to call the macro at all).
#[derive(Clone)]
struct Lexeme {
    text: String,
    joint: bool,
    delimiter: bool,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Ident,
    Literal,
    Punct,
    Delimiter,
}

fn flatten(tokens: TokenStream, out: &mut Vec<Lexeme>) {
    for tree in tokens {
        match tree {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("", ""),
                };
                out.push(delimiter(open));
                flatten(group.stream(), out);
                out.push(delimiter(close));
            }
            TokenTree::Ident(ident) => out.push(Lexeme {
                text: ident.to_string(),
                joint: false,
                delimiter: false,
                kind: Kind::Ident,
            }),
            TokenTree::Punct(punct) => out.push(Lexeme {
                text: punct.as_char().to_string(),
                joint: punct.spacing() == Spacing::Joint,
                delimiter: false,
                kind: Kind::Punct,
            }),
            TokenTree::Literal(literal) => out.push(Lexeme {
                text: literal.to_string(),
                joint: false,
                delimiter: false,
                kind: Kind::Literal,
            }),
        }
    }
}

fn delimiter(text: &str) -> Lexeme {
    Lexeme {
        text: text.to_string(),
        joint: false,
        delimiter: true,
        kind: Kind::Delimiter,
    }
}

fn render(lexemes: &[Lexeme]) -> String {
    let mut source = String::new();
    for lexeme in lexemes {
        source.push_str(&lexeme.text);
        if !lexeme.joint {
            source.push(' ');
        }
    }
    source
}

fn lexeme(text: &str, kind: Kind) -> Lexeme {
    Lexeme {
        text: text.to_string(),
        joint: false,
        delimiter: false,
        kind,
    }
}

/// Positions of the lexemes of one kind (all non-delimiters for `None`).
fn positions(lexemes: &[Lexeme], kind: Option<Kind>) -> Vec<usize> {
    (0..lexemes.len())
        .filter(|&i| !lexemes[i].delimiter && kind.is_none_or(|k| lexemes[i].kind == k))
        .collect()
}

/// One mutation of `seed`, chosen by `rng`: up to three edits of the function's lexemes.
fn mutate(seed: &[Lexeme], rng: &mut Lcg) -> Vec<Lexeme> {
    let mut lexemes = seed.to_vec();
    let edits = 1 + rng.below(3);
    for _ in 0..edits {
        let any = positions(&lexemes, None);
        if any.is_empty() {
            break;
        }
        let pick = |rng: &mut Lcg, among: &[usize]| among[rng.below(among.len())];
        match rng.below(10) {
            0 => {
                let i = pick(rng, &any);
                lexemes.remove(i);
            }
            1 => {
                let i = pick(rng, &any);
                let j = pick(rng, &any);
                lexemes.swap(i, j);
            }
            2 => {
                let i = pick(rng, &any);
                let copy = lexemes[i].clone();
                lexemes.insert(i, copy);
            }
            3 => {
                // Duplicate a run of up to eight lexemes (a repeated statement or argument).
                let i = pick(rng, &any);
                let end = (i + 1 + rng.below(8)).min(lexemes.len());
                let run: Vec<Lexeme> = lexemes[i..end].to_vec();
                if run.iter().all(|l| !l.delimiter) {
                    let at = pick(rng, &any);
                    lexemes.splice(at..at, run);
                }
            }
            4 => {
                let idents = positions(&lexemes, Some(Kind::Ident));
                if !idents.is_empty() {
                    let i = pick(rng, &idents);
                    let name = UNICODE_NAMES[rng.below(UNICODE_NAMES.len())];
                    lexemes[i] = lexeme(name, Kind::Ident);
                }
            }
            5 | 6 => {
                let literals = positions(&lexemes, Some(Kind::Literal));
                if !literals.is_empty() {
                    let i = pick(rng, &literals);
                    let odd = ODD_LITERALS[rng.below(ODD_LITERALS.len())];
                    lexemes[i] = lexeme(odd, Kind::Literal);
                }
            }
            7 => {
                let i = pick(rng, &any);
                let splice = SPLICES[rng.below(SPLICES.len())];
                lexemes.insert(i, lexeme(splice, Kind::Punct));
            }
            8 => {
                // An identifier (a plate size, a data argument, a distribution) replaced by a
                // literal of the wrong size or type.
                let idents = positions(&lexemes, Some(Kind::Ident));
                if !idents.is_empty() {
                    let i = pick(rng, &idents);
                    let odd = ODD_LITERALS[rng.below(ODD_LITERALS.len())];
                    lexemes[i] = lexeme(odd, Kind::Literal);
                }
            }
            _ => {
                // A site name or plate size replaced by another literal of the model.
                let literals = positions(&lexemes, Some(Kind::Literal));
                if literals.len() >= 2 {
                    let i = pick(rng, &literals);
                    let j = pick(rng, &literals);
                    lexemes[i] = lexemes[j].clone();
                }
            }
        }
    }
    lexemes
}

/// The outcome of running the macro on one source.
enum Outcome {
    /// Generated items that parse as a Rust file.
    Accepted,
    /// `compile_error!`s, each pointing into the source.
    Rejected,
}

/// Every span of a `compile_error!` invocation in `tokens`.
fn error_spans(tokens: TokenStream, out: &mut Vec<Span>) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Ident(ident) if ident == "compile_error" => {
                if let Some(TokenTree::Group(group)) = trees.get(i + 2) {
                    out.push(group.span());
                }
                out.push(ident.span());
            }
            TokenTree::Group(group) => error_spans(group.stream(), out),
            _ => {}
        }
    }
}

/// Runs the macro on `attr` and `item`; `Err` describes a panic or a rejection without a span.
fn run(attr: &str, item: &str) -> Result<Option<Outcome>, String> {
    // A source that does not tokenize never reaches a macro.
    let (Ok(attr_tokens), Ok(item_tokens)) = (attr.parse::<TokenStream>(), item.parse()) else {
        return Ok(None);
    };
    let expanded = catch_unwind(AssertUnwindSafe(|| {
        super::model_tokens(attr_tokens, item_tokens)
    }))
    .map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("the macro panicked: {message}")
    })?;
    let mut spans = Vec::new();
    error_spans(expanded.clone(), &mut spans);
    if spans.is_empty() {
        syn::parse2::<syn::File>(expanded)
            .map_err(|e| format!("accepted, but the expansion is not valid Rust: {e}"))?;
        return Ok(Some(Outcome::Accepted));
    }
    // Span locations are on in this crate's tests: a span parsed from the source has a byte
    // range inside it, the call site has an empty one at 0.
    for span in spans {
        if span.byte_range().is_empty() {
            return Err(format!(
                "a compile error without a span in the source: {:?}",
                span.byte_range()
            ));
        }
    }
    Ok(Some(Outcome::Rejected))
}

#[test]
fn the_seed_models_are_accepted() {
    for (attr, item) in SEEDS {
        match run(attr, item) {
            Ok(Some(Outcome::Accepted)) => {}
            Ok(Some(Outcome::Rejected)) => panic!("seed rejected: #[model({attr})] {item}"),
            Ok(None) => panic!("seed does not tokenize: {item}"),
            Err(e) => panic!("{e}\n#[model({attr})] {item}"),
        }
    }
}

#[test]
fn mutated_models_are_accepted_or_rejected_with_a_span_never_a_panic() {
    // Panics are caught and reported below; the default hook would print each one.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Lcg(0x6d6f_6465_6c21);
    let (mut tried, mut accepted, mut rejected) = (0, 0, 0);
    let mut failures = Vec::new();
    for (attr, item) in SEEDS {
        let mut seed = Vec::new();
        flatten(item.parse().expect("seed tokenizes"), &mut seed);
        let mut sources: Vec<(String, String)> = (0..100)
            .map(|_| (attr.to_string(), render(&mutate(&seed, &mut rng))))
            .collect();
        sources.extend(ATTRIBUTES.iter().map(|a| (a.to_string(), item.to_string())));
        for (attr, item) in sources {
            match run(&attr, &item) {
                Ok(None) => {}
                Ok(Some(outcome)) => {
                    tried += 1;
                    match outcome {
                        Outcome::Accepted => accepted += 1,
                        Outcome::Rejected => rejected += 1,
                    }
                }
                Err(e) => {
                    tried += 1;
                    failures.push(format!("{e}\n  #[model({attr})] {item}"));
                }
            }
        }
    }
    std::panic::set_hook(hook);
    assert!(
        failures.is_empty(),
        "{} of {tried} sources failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(tried >= 900, "only {tried} mutated sources tokenized");
    assert!(
        accepted > 0 && rejected > 0,
        "{accepted} accepted, {rejected} rejected"
    );
}

/// The first error's span in the expansion of `attr` and `item`.
fn first_error(attr: &str, item: &str) -> std::ops::Range<usize> {
    let expanded = super::model_tokens(attr.parse().unwrap(), item.parse().unwrap());
    let mut spans = Vec::new();
    error_spans(expanded, &mut spans);
    spans.first().expect("a compile error").byte_range()
}

#[test]
fn an_error_at_the_end_of_a_statement_points_at_its_closing_delimiter() {
    // Found by the mutations: `parse2` of the bare arguments put "expected `,`" at the call site.
    let item = r#"fn m() { let s = plate!("s", 3); }"#;
    let range = first_error("", item);
    assert!(!range.is_empty(), "{range:?}");
}

#[test]
fn an_error_at_the_end_of_the_attribute_points_at_its_last_token() {
    for attr in ["guide_for =", "reparam", "guide_for", "guide_for = a::"] {
        let range = first_error(attr, "fn m() {}");
        assert!(!range.is_empty(), "{attr}: {range:?}");
    }
}

#[test]
fn a_final_statement_without_a_semicolon_expands_to_valid_rust() {
    // Found by the mutations: the expansion was `sample_observed(..)? Ok(())`.
    let item = r#"fn m(y: f64) { sample!("y", Normal::new(0.0, 1.0), obs = y) }"#;
    assert!(matches!(run("", item), Ok(Some(Outcome::Accepted))));
}
